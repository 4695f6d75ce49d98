import { MeshError, type Logger } from '../core/index.js';
import type { FastifyLike } from './app-kind.js';
import type { InboundRuntime } from './inbound-runtime.js';
import type { InboundStack } from './inbound-stack.js';
import type { Listener } from './listener.js';
import { within } from './within.js';

/** The longest an idle keep-alive connection is kept open into a drain. */
export const DRAIN_IDLE_GRACE_MS = 500;
/** How long the answers to requests ended by a drain timeout get to leave before connections are dropped. */
const ABORT_FLUSH_MS = 100;

export interface DrainParts {
  readonly runtime: InboundRuntime;
  readonly stack: InboundStack;
  readonly listener: Listener;
  /** The instance's announcement, withdrawn first (bounded by the drain timeout). */
  readonly registration: { withdraw(ms: number): Promise<void> };
  readonly drainTimeout: number;
  readonly keepAliveTimeout: number;
}

/**
 * Drains one `mesh.serve` listener within `drainTimeout`: responses still to go say
 * `connection: close`, the instance is withdrawn, the listener stops accepting, idle
 * connections are closed after a grace, and in-flight requests finish. Past the timeout what is
 * left ends with 503 and every connection is dropped.
 */
export async function drainServer(p: DrainParts): Promise<void> {
  const { runtime, stack, listener, drainTimeout } = p;
  const { clock, log } = runtime;
  const startedAt = clock.now();
  stack.beginDrain();
  await p.registration.withdraw(drainTimeout);
  listener.stopAccepting();
  const left = () => drainTimeout - (clock.now() - startedAt);
  // Idle keep-alive connections stay open a moment: a request already on its way on one (or
  // sent before the client learns of the drain) is served with `connection: close`, not cut.
  await within(listener.closed(), Math.min(drainIdleGrace(p.keepAliveTimeout), left()), clock);
  listener.closeIdle();
  let inTime = await within(stack.idle(), left(), clock);
  if (inTime) {
    listener.closeIdle(); // connections whose last response had gone out before the drain began
    inTime = await within(listener.closed(), left(), clock);
  }
  if (!inTime) {
    log.warn('drain timeout: dropping requests still in flight', { service: runtime.service, running: stack.running, queued: stack.queued, connections: listener.connections });
    stack.abort(new MeshError('MESH_ERR_CLOSED', `the server stopped: drain timeout of ${drainTimeout} ms passed`));
    // The 503s just written get a moment to leave before every connection is dropped.
    await within(listener.closed(), ABORT_FLUSH_MS, clock);
    listener.destroy();
    await listener.closed();
  }
  listener.dispose();
}

/**
 * How long idle connections stay open into a drain: long enough for a client that is sending to
 * use its connection once more and be told to close, no longer than the keep-alive timeout
 * (past it Node closes an idle connection anyway, and clients that honour `keep-alive: timeout`
 * have let it go).
 */
function drainIdleGrace(keepAliveTimeout: number): number {
  return Math.min(DRAIN_IDLE_GRACE_MS, keepAliveTimeout);
}

/** Closes a served Fastify app once its listener drained (its onClose hooks run); a failure is logged, not thrown. */
export async function closeFastify(app: FastifyLike, log: Logger): Promise<void> {
  try {
    await app.close();
  } catch (err) {
    log.warn('closing the Fastify app failed', { err });
  }
}
