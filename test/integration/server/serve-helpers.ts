import { request as undiciRequest, type Dispatcher } from 'undici';
import { createMesh, type Mesh } from '../../../src/index.js';

/**
 * A mesh for the serving side: plaintext, an admin listener on a free port, signals left alone,
 * and a destination of its own, as a workload that calls on has (the inbound scope is entered
 * only when outbound calls could inherit from it).
 */
export function serverMesh(config: Record<string, unknown> = {}, service = 'orders'): Promise<Mesh> {
  const services = { inventory: { endpoints: ['127.0.0.1:9'], tls: 'none' } };
  return createMesh({ service, watch: false, shutdown: false, config: { identity: { mode: 'none' }, admin: { port: 0 }, services, ...config } });
}

/** A calling workload whose mesh knows each service by the given addresses. */
export function clientMesh(services: Record<string, readonly string[]>, extra: Record<string, unknown> = {}): Promise<Mesh> {
  const entries = Object.entries(services).map(([name, endpoints]) => [name, { endpoints, tls: 'none', ...extra }]);
  return createMesh({ service: 'checkout', watch: false, shutdown: false, config: { identity: { mode: 'none' }, services: Object.fromEntries(entries) } });
}

/** A latch: handlers wait on `wait()` until the test calls `open()`. */
export function gate(): { wait(): Promise<void>; open(): void } {
  let open!: () => void;
  const p = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => p, open };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A plain undici request, body read as text. */
export async function get(url: string, opts: Partial<Dispatcher.RequestOptions> & { dispatcher?: Dispatcher } = {}): Promise<Answer> {
  const res = await undiciRequest(url, opts as never);
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** The `error.code` of a JSON body the mesh wrote. */
export function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
