import { describe, expect, it } from 'vitest';
import { HttpRetryPolicy, retryAfterMs } from '../../../src/client/http/http-retry-policy.js';
import { SyntheticResponse } from '../../../src/client/http/synthetic-response.js';
import { createCallContext } from '../../../src/core/context.js';
import { CircuitOpenError, DeadlineExceededError, TransportError } from '../../../src/core/errors.js';
import type { HttpRequest } from '../../../src/client/http/http-types.js';

const ctx = createCallContext({ service: 'orders' });
const req = (method: string, extra: Partial<HttpRequest['opts']> = {}): HttpRequest => ({ opts: { path: '/', method: method as 'GET', ...extra }, authority: 'orders' });
const res = (status: number, headers: Record<string, string> = {}) => new SyntheticResponse(status, 'x', headers);
const policy = new HttpRetryPolicy({ on: ['connect-failure', 'reset', 503, 'gateway-error'], retryNonIdempotent: false });

describe('HttpRetryPolicy', () => {
  it('retries listed statuses for idempotent methods only', () => {
    expect(policy.classify({ res: res(503) }, req('GET'), ctx)).toEqual({ retry: true, reason: '503' });
    expect(policy.classify({ res: res(504) }, req('PUT'), ctx)).toMatchObject({ retry: true });
    expect(policy.classify({ res: res(500) }, req('GET'), ctx)).toEqual({ retry: false });
    expect(policy.classify({ res: res(200) }, req('GET'), ctx)).toEqual({ retry: false });
    expect(policy.classify({ res: res(503) }, req('POST'), ctx)).toEqual({ retry: false });
    expect(policy.classify({ res: res(503) }, req('POST', { idempotent: true }), ctx)).toMatchObject({ retry: true });
  });

  it('retries a shedding server’s rejection for any method, honouring retry-after', () => {
    const shed = res(503, { 'inmesh-rejected': '1', 'retry-after': '2' });
    expect(policy.classify({ res: shed }, req('POST'), ctx)).toEqual({ retry: true, reason: 'rejected', notBefore: 2000 });
  });

  it('retries a connect failure (nothing sent) for any method, a reset only when idempotent', () => {
    const refused = new TransportError('connect-failure', 'refused', { endpoint: 'a' });
    const reset = new TransportError('reset', 'reset', { endpoint: 'a' });
    expect(policy.classify({ err: refused }, req('POST'), ctx)).toEqual({ retry: true, reason: 'connect-failure' });
    expect(policy.classify({ err: reset }, req('POST'), ctx)).toEqual({ retry: false });
    expect(policy.classify({ err: reset }, req('GET'), ctx)).toEqual({ retry: true, reason: 'reset' });
    expect(policy.classify({ err: new TransportError('timeout', 't') }, req('GET'), ctx)).toEqual({ retry: false });
    expect(new HttpRetryPolicy({ on: ['reset'], retryNonIdempotent: true }).classify({ err: reset }, req('POST'), ctx)).toMatchObject({ retry: true });
  });

  it('retries rejections by the mesh itself but not deadlines, and never after cancellation', () => {
    expect(policy.classify({ err: new CircuitOpenError() }, req('POST'), ctx)).toMatchObject({ retry: true, reason: 'MESH_ERR_CIRCUIT_OPEN' });
    expect(policy.classify({ err: new DeadlineExceededError() }, req('GET'), ctx)).toEqual({ retry: false });
    const cancelled = createCallContext({ service: 'orders' });
    cancelled.cancellation.cancel(new Error('gone'));
    expect(policy.classify({ res: res(503) }, req('GET'), cancelled)).toEqual({ retry: false });
  });

  it('names the endpoint of an outcome', () => {
    expect(policy.endpointOf({ err: new TransportError('reset', 'x', { endpoint: '127.0.0.1:9' }) })).toBe('127.0.0.1:9');
    expect(policy.endpointOf({ res: res(503) })).toBeUndefined();
  });

  it('honours only a retry-after RFC 9110 allows: whole seconds or an HTTP date', () => {
    for (const junk of ['1.5', '0x10', '-1', '1e308']) {
      expect(policy.classify({ res: res(503, { 'retry-after': junk }) }, req('GET'), ctx), junk).toEqual({ retry: true, reason: '503' });
    }
    expect(policy.classify({ res: res(503, { 'retry-after': '3' }) }, req('GET'), ctx)).toEqual({ retry: true, reason: '503', notBefore: 3000 });
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
