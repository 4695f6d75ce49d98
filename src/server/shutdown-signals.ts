import type { Logger } from '../core/index.js';

export interface ShutdownOptions {
  /** Signals that drain and stop the workload. Default `['SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Ends the process once drained: 0 after a clean drain, 1 if closing failed or a second signal came. Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

/**
 * Installs the shutdown path of a serving workload: on the first signal, `shutdown()` (which
 * marks the workload not ready, deregisters, stops accepting and drains), then `exit(0)`. A
 * second signal during the drain exits at once with 1. Returns a function that uninstalls.
 *
 * @example
 * const uninstall = onShutdownSignals({ shutdown: () => mesh.close(), log });
 */
export function onShutdownSignals(o: ShutdownOptions & { readonly shutdown: () => Promise<void>; readonly log: Logger }): () => void {
  const signals = o.signals ?? ['SIGTERM'];
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      o.log.warn('second shutdown signal: exiting without waiting for the drain', { signal, first: received });
      exit(1);
      return;
    }
    received = signal;
    o.log.info('shutdown signal: draining', { signal });
    o.shutdown().then(
      () => exit(0),
      (err: unknown) => {
        o.log.error('shutdown failed', { err });
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.removeListener(s, handler);
  };
}
