import type { Etcd3, IOptions } from 'etcd3';
import { MeshError } from '../../../index.js';

/** How long one etcd request may take before the store gives up on it. */
export const ETCD_REQUEST_TIMEOUT_MS = 3_000;

/**
 * Calls straight through. etcd3's defaults put a circuit breaker on each host that stays open
 * 5 s after three failures, so writes would keep failing for seconds after etcd came back; the
 * store bounds every call itself and the daemon's callers retry.
 */
const passThrough = {
  // Async like cockatiel's: etcd3 reports a failed stream by throwing inside execute() and catching the rejection.
  execute: async <T>(fn: (context: { signal: AbortSignal; attempt: number }) => T | Promise<T>): Promise<T> => fn({ signal: new AbortController().signal, attempt: 0 }),
};

/** The watch stream is re-established by the store's own resync loop; etcd3's timer only needs to be short so that it never holds a closing process. */
const shortBackoff = { duration: 250, next() { return this; } };

/**
 * Loads the etcd3 client, an optional peer dependency: only daemons started on etcd need it.
 */
export async function connectEtcd(endpoints: readonly string[], requestTimeoutMs: number): Promise<Etcd3> {
  let mod: typeof import('etcd3');
  try {
    mod = await import('etcd3');
  } catch (err) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `the etcd store needs the etcd3 package, which is not installed: npm install etcd3 (${(err as Error).message})`, { cause: err });
  }
  const Etcd3Class = mod.Etcd3 ?? (mod as unknown as { default: typeof import('etcd3') }).default.Etcd3;
  const options: IOptions = {
    hosts: [...endpoints],
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    faultHandling: {
      host: () => passThrough as never,
      global: passThrough as never,
      watchBackoff: shortBackoff as never,
    },
    grpcOptions: {
      // A dead peer behind a silent network is noticed within seconds, not at the TCP timeout.
      'grpc.keepalive_time_ms': 5_000,
      'grpc.keepalive_timeout_ms': 2_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Reconnect soon after etcd comes back rather than after grpc's default backoff of up to 2 min.
      'grpc.max_reconnect_backoff_ms': 1_000,
      'grpc.initial_reconnect_backoff_ms': 100,
    },
  };
  return new Etcd3Class(options);
}

/**
 * Runs one etcd request within `ms`; a failure or a timeout rejects with MESH_ERR_TRANSPORT
 * naming etcd, so that a caller never waits on an etcd that is away.
 */
export function withinDeadline<T>(what: string, endpoints: readonly string[], ms: number, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MeshError('MESH_ERR_TRANSPORT', `etcd (${endpoints.join(', ')}) did not answer within ${ms} ms (${what})`, { retryable: true })), ms);
    timer.unref();
    run().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof MeshError ? err : new MeshError('MESH_ERR_TRANSPORT', `etcd (${endpoints.join(', ')}) failed (${what}): ${(err as Error)?.message ?? String(err)}`, { retryable: true, cause: err }));
      },
    );
  });
}
