import { describe, expect, it } from 'vitest';
import { inboundScope, isMeshError } from '../../../src/core/index.js';
import { harness } from './fake-exchange.js';

/** What a mesh client's call with no deadline carries. */
const MESH = { 'inmesh-caller': '1' };

describe('InboundStack: deadline and scope', () => {
  it("runs the application inside the inbound scope, with the caller's budget as an absolute deadline", () => {
    const h = harness({}, () => inboundScope.getStore());
    const { req, res } = h.send({ 'inmesh-deadline-ms': '250' });
    expect(h.seen).toHaveLength(1);
    const mesh = req.mesh!;
    expect(h.seen[0]!.scope).toBe(mesh);
    expect(mesh).toMatchObject({ service: 'orders', peer: undefined, deadline: 1250, otel: undefined });
    expect(mesh.remaining()).toBe(250);
    expect(res.headers['inmesh-load']).toBe('inflight=1;elu=0.250');
    expect(inboundScope.getStore()).toBeUndefined(); // entered for the application only
  });

  it('enters the inbound scope only when outbound calls could inherit from it', () => {
    let propagates = false;
    const h = harness({}, () => inboundScope.getStore(), { propagates: () => propagates });
    const { req } = h.send({ 'inmesh-deadline-ms': '250' });
    expect(h.seen[0]!.scope).toBeUndefined();
    expect(req.mesh!.remaining()).toBe(250); // the handler still sees its deadline on req.mesh
    propagates = true;
    h.send();
    expect(h.seen[1]!.scope).toBeDefined();
  });

  it('reports load on a connection at most every 100 ms, as fresh as clients use it', () => {
    const h = harness();
    const socket = { remoteAddress: '10.0.0.9' };
    expect(h.send(MESH, { socket }).res.headers['inmesh-load']).toBe('inflight=1;elu=0.250');
    expect(h.send(MESH, { socket }).res.headers['inmesh-load']).toBeUndefined();
    expect(h.send(MESH).res.headers['inmesh-load']).toBeDefined(); // another connection
    h.clock.advance(100);
    expect(h.send(MESH, { socket }).res.headers['inmesh-load']).toBeDefined();
  });

  it('reports load to mesh callers only (a deadline or the caller mark), not to curl', () => {
    const h = harness({ maxConcurrent: 1 });
    expect(h.send().res.headers['inmesh-load']).toBeUndefined();
    expect(h.send().res.headers['inmesh-load']).toBeUndefined(); // a refusal says nothing of the load either
    const h2 = harness();
    expect(h2.send({ 'inmesh-deadline-ms': '500' }).res.headers['inmesh-load']).toBe('inflight=1;elu=0.250');
    expect(h2.send({ 'inmesh-caller': '1' }).res.headers['inmesh-load']).toBe('inflight=2;elu=0.250');
  });

  it('caps the deadline with its own timeout, also when the caller sent none', () => {
    const h = harness({ timeout: 100 });
    expect(h.send().req.mesh!.deadline).toBe(1100);
    expect(h.send({ 'inmesh-deadline-ms': '50' }).req.mesh!.deadline).toBe(1050);
    expect(h.send({ 'inmesh-deadline-ms': '5000' }).req.mesh!.deadline).toBe(1100);
    expect(harness().send().req.mesh!.deadline).toBe(Infinity);
  });

  it('answers a malformed deadline header with 400 and a MeshError code, without the application', () => {
    const h = harness();
    const { res } = h.send({ 'inmesh-deadline-ms': '1.5s' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MESH_ERR_BAD_REQUEST');
    expect(res.json().error.message).toMatch(/inmesh-deadline-ms/);
    expect(res.headers['inmesh-rejected']).toBeUndefined(); // a caller bug: sending it elsewhere will not help
    expect(h.seen).toHaveLength(0);
  });

  it('refuses a request whose deadline has already passed with 504, taking no slot', () => {
    const h = harness({ maxConcurrent: 1 });
    const { res } = h.send({ 'inmesh-deadline-ms': '0' });
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('MESH_ERR_DEADLINE_EXCEEDED');
    expect(h.stack.running).toBe(0);
    h.send();
    expect(h.seen).toHaveLength(1);
  });

  it('at its deadline a running request ends: signal aborted, 504 with connection: close, slot freed', () => {
    const h = harness({ maxConcurrent: 1 });
    const { req, res } = h.send({ 'inmesh-deadline-ms': '100' });
    const signal = req.mesh!.signal;
    h.clock.advance(99);
    expect(signal.aborted).toBe(false);
    expect(h.send().res.statusCode).toBe(503); // the one slot is taken
    h.clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect(isMeshError(signal.reason) && signal.reason.code).toBe('MESH_ERR_DEADLINE_EXCEEDED');
    expect([res.statusCode, res.headers.connection, res.json().error.code]).toEqual([504, 'close', 'MESH_ERR_DEADLINE_EXCEEDED']);
    expect(req.mesh!.remaining()).toBe(0);
    expect(h.stack.running).toBe(0);
    h.send();
    expect([h.seen.length, h.stack.running]).toEqual([2, 1]); // a fresh request takes the slot
  });

  it('at its deadline a response whose head went out is destroyed, and the slot freed', () => {
    const h = harness({ maxConcurrent: 1 });
    const { res } = h.send({ 'inmesh-deadline-ms': '100' });
    res.writeHead(200); // the application started answering, then stalled
    h.clock.advance(100);
    expect([res.destroyed, res.statusCode]).toEqual([true, 200]);
    expect(h.stack.running).toBe(0);
  });

  it('cancels a request whose client went away, and frees its slot', () => {
    const h = harness({ maxConcurrent: 1, maxQueue: 1 });
    const first = h.send();
    const cancellation = first.req.mesh!.cancellation;
    h.send();
    expect(h.stack.queued).toBe(1);
    first.res.disconnect();
    expect(cancellation.cancelled).toBe(true);
    expect(isMeshError(cancellation.reason) && cancellation.reason.code).toBe('MESH_ERR_CANCELLED');
    expect(h.seen).toHaveLength(2);
    expect(h.stack.running).toBe(1);
  });

  it('cancels the deadline timer when the response ends first', () => {
    const h = harness();
    const { req, res } = h.send({ 'inmesh-deadline-ms': '100' });
    res.end('ok');
    h.clock.advance(200);
    expect(req.mesh!.cancellation.cancelled).toBe(false);
  });
});

describe('InboundStack: admission', () => {
  it('runs maxConcurrent, queues maxQueue, and sheds the rest with 503, retry-after and inmesh-rejected', async () => {
    const h = harness({ maxConcurrent: 2, maxQueue: 1 });
    const sent = Array.from({ length: 5 }, () => h.send(MESH));
    expect(h.seen).toHaveLength(2);
    expect(h.stack.queued).toBe(1);
    const shed = sent.filter((s) => s.res.statusCode === 503);
    expect(shed).toHaveLength(2);
    for (const { res } of shed) {
      expect(res.headers).toMatchObject({ 'retry-after': '1', 'inmesh-rejected': '1', 'inmesh-load': 'inflight=3;elu=0.250' });
      expect(res.json().error.code).toBe('MESH_ERR_OVERLOADED');
    }
    sent[0]!.res.end('done');
    expect(h.seen.map((s) => s.req)).toEqual([sent[0]!.req, sent[1]!.req, sent[2]!.req]);
    expect(h.stack.queued).toBe(0);
    expect(await h.metrics.registry.getSingleMetricAsString('inmesh_admission_rejected_total')).toMatch(/inmesh_admission_rejected_total\{reason="concurrency"\} 2/);
  });

  it('answers 504 to a queued request whose deadline passes, and takes it out of the queue', () => {
    const h = harness({ maxConcurrent: 1, maxQueue: 2 });
    const running = h.send();
    const late = h.send({ 'inmesh-deadline-ms': '50' });
    const patient = h.send();
    h.clock.advance(50);
    expect(late.res.statusCode).toBe(504);
    expect(late.res.headers['inmesh-rejected']).toBe('1');
    expect(h.stack.queued).toBe(1);
    running.res.end();
    expect(h.seen.map((s) => s.req)).toEqual([running.req, patient.req]);
  });

  it('drops a queued request whose client went away', () => {
    const h = harness({ maxConcurrent: 1, maxQueue: 2 });
    const running = h.send();
    const gone = h.send();
    const next = h.send();
    gone.res.disconnect();
    expect(h.stack.queued).toBe(1);
    running.res.end();
    expect(h.seen.map((s) => s.req)).toEqual([running.req, next.req]);
  });

  it('rate-limits the service with 429, retry-after in whole seconds and inmesh-rejected', () => {
    const h = harness({ rateLimit: { rps: 0.5, burst: 2, perCaller: false } });
    const statuses = [1, 2, 3].map(() => h.send({}, { remote: `10.0.0.${Math.random()}` }).res);
    expect(statuses.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    expect(statuses[2]!.headers).toMatchObject({ 'retry-after': '2', 'inmesh-rejected': '1' });
    expect(statuses[2]!.json().error.code).toBe('MESH_ERR_RATE_LIMITED');
    h.clock.advance(2000);
    expect(h.send().res.headersSent).toBe(false); // admitted: the application has it
  });

  it('rate-limits each caller on its own with perCaller', () => {
    const h = harness({ rateLimit: { rps: 1, burst: 1, perCaller: true } });
    const a = [h.send({}, { remote: '10.0.0.1' }).res, h.send({}, { remote: '10.0.0.1' }).res];
    const b = h.send({}, { remote: '10.0.0.2' }).res;
    expect([a[0]!.headersSent, a[1]!.statusCode, b.headersSent]).toEqual([false, 429, false]);
    expect(a[1]!.json().error.message).toMatch(/for this caller/);
  });

  it('follows an adaptive limit, starting at initialLimit', () => {
    const h = harness({ maxQueue: 0, adaptiveConcurrency: { initialLimit: 2, minLimit: 1, maxLimit: 10, tolerance: 1.5, window: 100 } });
    const sent = [h.send(), h.send(), h.send()];
    expect(sent.map((s) => s.res.statusCode)).toEqual([200, 200, 503]);
    expect(h.stack.limit).toBe(2);
  });

  it('takes new limits on reconfigure, and starts queued requests a higher limit allows', () => {
    const h = harness({ maxConcurrent: 1, maxQueue: 5 });
    h.send();
    h.send();
    h.send();
    expect(h.seen).toHaveLength(1);
    h.stack.reconfigure({ maxConcurrent: 3, maxQueue: 5, rateLimit: undefined, adaptiveConcurrency: undefined, timeout: undefined });
    expect(h.seen).toHaveLength(3);
  });

  it('records every request, admitted or refused, by route, method and status', async () => {
    const h = harness({ maxConcurrent: 1 });
    const ok = h.send();
    h.send();
    h.clock.advance(3);
    ok.res.end();
    const text = await h.metrics.registry.getSingleMetricAsString('http_server_request_duration_seconds');
    expect(text).toMatch(/http_server_request_duration_seconds_count\{service="orders",route="\/r",http_request_method="GET",http_response_status_code="200"\} 1/);
    expect(text).toMatch(/http_server_request_duration_seconds_count\{service="orders",route="\/r",http_request_method="GET",http_response_status_code="503"\} 1/);
    expect(text).toMatch(/http_server_request_duration_seconds_sum\{service="orders",route="\/r",http_request_method="GET",http_response_status_code="200"\} 0.003/);
  });
});

describe('InboundStack: identity hook', () => {
  it('takes the peer from the hook, and rate-limits per caller by identity', () => {
    const peerOf = (req: unknown) => `spiffe://shop.local/svc/${(req as { headers: Record<string, string> }).headers['x-test-peer']}`;
    const h = harness({ rateLimit: { rps: 1, burst: 1, perCaller: true } }, undefined, { peerOf });
    const a = h.send({ 'x-test-peer': 'checkout' }, { remote: '10.0.0.1' });
    expect(a.req.mesh).toMatchObject({ peer: 'spiffe://shop.local/svc/checkout' });
    // Same address, other identity: its own bucket. Same identity, other address: the same bucket.
    expect(h.send({ 'x-test-peer': 'cart' }, { remote: '10.0.0.1' }).res.headersSent).toBe(false);
    expect(h.send({ 'x-test-peer': 'checkout' }, { remote: '10.0.0.9' }).res.statusCode).toBe(429);
  });
});

describe('InboundStack: drain', () => {
  it('asks HTTP/1.1 clients to close after responses still to go, and not HTTP/2 ones', () => {
    const h = harness();
    const before = h.send();
    const h2 = h.send({}, { http2: true });
    h.stack.beginDrain();
    const after = h.send();
    for (const x of [before, h2, after]) x.res.writeHead(200);
    expect(before.res.headers.connection).toBe('close');
    expect(after.res.headers.connection).toBe('close');
    expect(h2.res.headers.connection).toBeUndefined();
    expect(h.seen).toHaveLength(3); // requests still arriving are served
  });

  it('with pipelining only the last request on a connection says close: Node would drop the ones behind it', () => {
    const h = harness();
    const socket = { remoteAddress: '10.0.0.7' };
    const first = h.send({}, { socket });
    h.stack.beginDrain();
    const second = h.send({}, { socket });
    const other = h.send();
    first.res.writeHead(200);
    expect(first.res.headers.connection).toBeUndefined(); // the second was already sent on it
    first.res.end();
    second.res.writeHead(200);
    other.res.writeHead(200);
    expect([second.res.headers.connection, other.res.headers.connection]).toEqual(['close', 'close']);
  });

  it('resolves idle() once the last request ends, and cancels the rest on abort', async () => {
    const h = harness();
    const a = h.send();
    const b = h.send();
    let idle = false;
    const waiting = h.stack.idle().then(() => (idle = true));
    a.res.end();
    await Promise.resolve();
    expect(idle).toBe(false);
    h.stack.abort(new Error('drain timeout'));
    expect(b.req.mesh!.signal.aborted).toBe(true);
    b.res.end();
    await waiting;
    expect(idle).toBe(true);
  });
});
