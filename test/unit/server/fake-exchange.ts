import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { DeadlineWheel } from '../../../src/resilience/index.js';
import { MeshMetrics } from '../../../src/telemetry/index.js';
import { InboundStack, type InboundEnv, type InboundLimits } from '../../../src/server/inbound-stack.js';
import { LoadReporter } from '../../../src/server/load-reporter.js';
import { ServerMetrics } from '../../../src/server/server-metrics.js';
import type { InboundMesh } from '../../../src/server/inbound-mesh.js';
import type { InboundRequest, InboundResponse, InboundTarget } from '../../../src/server/inbound-exchange.js';

/** A request as the stack reads it: headers, method, HTTP version, the peer's address. */
export class FakeRequest {
  readonly headers: Record<string, string>;
  readonly method = 'GET';
  readonly url: string;
  readonly httpVersionMajor: number;
  readonly socket: { remoteAddress: string };
  mesh: InboundMesh | undefined;

  constructor(headers: Record<string, string> = {}, o: { remote?: string; http2?: boolean; socket?: { remoteAddress: string }; url?: string } = {}) {
    this.headers = headers;
    this.url = o.url ?? '/';
    this.httpVersionMajor = o.http2 ? 2 : 1;
    this.socket = o.socket ?? { remoteAddress: o.remote ?? '10.0.0.1' };
  }
}

/** A response that records what was written; `finishResponse` / `disconnect` end it as Node would. */
export class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  destroyed = false;
  readonly headers: OutgoingHttpHeaders = {};
  body = '';

  setHeader(name: string, value: string): this {
    if (this.headersSent) throw new Error('headers already sent');
    this.headers[name] = value;
    return this;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    this.statusCode = status;
    Object.assign(this.headers, headers);
    this.headersSent = true;
    return this;
  }

  end(body = ''): this {
    this.headersSent = true;
    this.body = body;
    this.writableFinished = true;
    this.emit('close');
    return this;
  }

  /** What Node's `res.destroy()` does: the stream (HTTP/1.1: the connection) goes. */
  destroy(): this {
    if (!this.destroyed) this.disconnect();
    return this;
  }

  /** The client went away before the response ended. */
  disconnect(): void {
    this.destroyed = true;
    this.emit('close');
  }

  json(): { error: { code: string; message: string } } {
    return JSON.parse(this.body) as { error: { code: string; message: string } };
  }
}

export interface Harness {
  readonly clock: FakeClock;
  readonly stack: InboundStack;
  readonly metrics: MeshMetrics;
  /** Requests the application saw, in order, with the scope that was active when it ran. */
  readonly seen: Array<{ req: FakeRequest; res: FakeResponse; scope: unknown }>;
  send(headers?: Record<string, string>, o?: { remote?: string; http2?: boolean; socket?: { remoteAddress: string }; url?: string }): { req: FakeRequest; res: FakeResponse };
}

/** An InboundStack on a FakeClock, with a target that records what reached the application. */
export function harness(limits: Partial<InboundLimits> = {}, scopeReader?: () => unknown, env: Partial<InboundEnv> = {}): Harness {
  const clock = new FakeClock(1000);
  const metrics = new MeshMetrics({ service: 'orders' });
  const stack = new InboundStack(
    { maxConcurrent: undefined, maxQueue: 0, rateLimit: undefined, adaptiveConcurrency: undefined, timeout: undefined, ...limits },
    {
      service: 'orders',
      clock,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      wheel: new DeadlineWheel(clock, { resolution: 1 }),
      load: new LoadReporter(clock, () => 0.25),
      metrics: new ServerMetrics(metrics, 'orders'),
      peerOf: () => undefined,
      propagates: () => true,
      ...env,
    },
  );
  const seen: Harness['seen'] = [];
  const target: InboundTarget<FakeRequest, FakeResponse> = {
    run(req, res) {
      seen.push({ req, res, scope: scopeReader?.() });
    },
  };
  return {
    clock,
    stack,
    metrics,
    seen,
    send(headers = {}, o = {}) {
      const req = new FakeRequest(headers, o);
      const res = new FakeResponse();
      stack.handle(req as unknown as InboundRequest, res as unknown as InboundResponse, target, req, res, '/r');
      return { req, res };
    },
  };
}
