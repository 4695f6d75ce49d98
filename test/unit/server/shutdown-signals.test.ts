import { afterEach, describe, expect, it } from 'vitest';
import { onShutdownSignals } from '../../../src/server/shutdown-signals.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

describe('onShutdownSignals', () => {
  it('shuts down on the first signal and exits 0 once that is done', async () => {
    const exits: number[] = [];
    let finish!: () => void;
    const shutdown = () => new Promise<void>((r) => (finish = r));
    uninstall = onShutdownSignals({ signals: ['SIGUSR2'], shutdown, exit: (c) => exits.push(c), log: quiet });
    process.emit('SIGUSR2', 'SIGUSR2');
    await Promise.resolve();
    expect(exits).toEqual([]);
    finish();
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([0]);
  });

  it('exits 1 at once on a second signal, and 1 when the shutdown fails', async () => {
    const exits: number[] = [];
    uninstall = onShutdownSignals({ signals: ['SIGUSR2'], shutdown: () => new Promise(() => {}), exit: (c) => exits.push(c), log: quiet });
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exits).toEqual([1]);
    uninstall();
    uninstall = onShutdownSignals({ signals: ['SIGUSR2'], shutdown: () => Promise.reject(new Error('stuck')), exit: (c) => exits.push(c), log: quiet });
    process.emit('SIGUSR2', 'SIGUSR2');
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([1, 1]);
  });

  it('uninstalls its listeners', () => {
    const before = process.listenerCount('SIGUSR2');
    const off = onShutdownSignals({ signals: ['SIGUSR2'], shutdown: async () => {}, exit: () => {}, log: quiet });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    off();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
