import type { InboundRuntime } from './inbound-runtime.js';

/** A mesh (what `createMesh` returned): the adapters find its inbound runtime through it. */
export interface InboundHost {
  readonly service: string;
}

const runtimes = new WeakMap<object, InboundRuntime>();

/** Links a mesh to its inbound runtime (createMesh does this). */
export function attachInbound(host: InboundHost, runtime: InboundRuntime): void {
  runtimes.set(host, runtime);
}

/** The inbound runtime of a mesh; throws a TypeError for anything createMesh did not return. */
export function inboundOf(host: InboundHost): InboundRuntime {
  const runtime = typeof host === 'object' && host !== null ? runtimes.get(host) : undefined;
  if (!runtime) throw new TypeError('expected the mesh returned by createMesh() (as in inmeshExpress(mesh) or register(inmeshFastify, { mesh }))');
  return runtime;
}
