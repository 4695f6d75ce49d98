import type { CallContext } from './context.js';

/** A service: one asynchronous call. Everything in the mesh is a service or a layer around one. */
export type Service<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res>;

/** Wraps a service in behaviour (Finagle's Filter, tower's Layer). The first layer of a stack is the outermost. */
export type Layer<Req, Res, InReq = Req, InRes = Res> = (next: Service<InReq, InRes>) => Service<Req, Res>;

/** The status an endpoint reports to a balancer: `busy` endpoints are skipped while others are open. */
export type EndpointStatus = 'open' | 'busy' | 'closed';

/** One member of a destination, with what balancers need to choose among members. */
export interface Endpoint<Req, Res> {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly call: Service<Req, Res>;
  status(): EndpointStatus;
  /** Calls in flight on this endpoint. */
  pending(): number;
  /** Peak-EWMA cost: smoothed latency (ms) scaled by the calls in flight; lower is better. */
  load(): number;
  close(): Promise<void>;
}
