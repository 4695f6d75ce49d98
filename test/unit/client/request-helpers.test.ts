import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { bufferBody, isReplayable } from '../../../src/client/http/replayable-body.js';
import { setHeader } from '../../../src/client/http/set-header.js';
import { rawHeaderValue } from '../../../src/client/http/raw-header.js';
import { compileRouteMatch, pathOf } from '../../../src/client/routing/route-matcher.js';
import { BackendSplit } from '../../../src/client/routing/backend-split.js';
import { seededRandom } from '../../../src/core/random.js';
import type { HttpRequest } from '../../../src/client/http/http-types.js';

async function drain(body: unknown): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString();
}

describe('bufferBody', () => {
  it('keeps bytes and strings as they are, and reads a small stream into a buffer', async () => {
    expect(isReplayable('x')).toBe(true);
    expect(isReplayable(Readable.from(['x']))).toBe(false);
    const small = await bufferBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 10);
    expect(small.replayable).toBe(true);
    expect(Buffer.isBuffer(small.body) && small.body.toString()).toBe('abcd');
  });

  it('gives back a large stream whole but not replayable', async () => {
    const big = await bufferBody(Readable.from(['aaaa', 'bbbb', 'cccc']), 6);
    expect(big.replayable).toBe(false);
    expect(await drain(big.body)).toBe('aaaabbbbcccc');
  });
});

describe('header helpers', () => {
  it('sets a header on a copy, replacing the caller’s value', () => {
    const h = { 'inmesh-deadline-ms': '9', a: '1' };
    expect(setHeader(h, 'inmesh-deadline-ms', '5')).toEqual(['a', '1', 'inmesh-deadline-ms', '5']);
    expect(h['inmesh-deadline-ms']).toBe('9');
    expect(setHeader(['A', '1'], 'x', '2')).toEqual(['A', '1', 'x', '2']);
    expect(setHeader(null, 'x', '2')).toEqual(['x', '2']);
  });

  it('finds raw response headers case-insensitively', () => {
    const raw = [Buffer.from('Content-Type'), Buffer.from('text/plain'), Buffer.from('Inmesh-Load'), Buffer.from('inflight=1;elu=0.5')];
    expect(rawHeaderValue(raw, 'inmesh-load')).toBe('inflight=1;elu=0.5');
    expect(rawHeaderValue(raw, 'content-typf')).toBeUndefined();
  });
});

describe('route matching', () => {
  const r = (path: string, method = 'GET', headers: Record<string, string> = {}): HttpRequest => ({ opts: { path, method: method as 'GET', headers }, authority: 'o' });
  it('matches path (query ignored), methods and headers, all required', () => {
    const m = compileRouteMatch({ path: { prefix: '/api/' }, methods: ['GET'], headers: { 'x-user': { regex: 'u[0-9]+' } } });
    expect(m(r('/api/x?y=1', 'GET', { 'X-User': 'u42' }))).toBe(true);
    expect(m(r('/api/x', 'POST', { 'x-user': 'u42' }))).toBe(false);
    expect(m(r('/api/x', 'GET', { 'x-user': 'u42x' }))).toBe(false);
    expect(m(r('/other', 'GET', { 'x-user': 'u1' }))).toBe(false);
    expect(compileRouteMatch({ path: undefined, methods: undefined, headers: { 'x-a': { present: false } } })(r('/'))).toBe(true);
    expect(compileRouteMatch({ path: { exact: '/a' }, methods: undefined, headers: {} })(r('/a?b'))).toBe(true);
    expect(pathOf('/a/b?c=d')).toBe('/a/b');
  });
});

describe('BackendSplit', () => {
  it('picks backends in proportion to weight', () => {
    const split = new BackendSplit([{ subset: 'a', weight: 70 }, { subset: 'b', weight: 20 }, { subset: 'c', weight: 10 }]);
    const random = seededRandom(11);
    const n: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 100_000; i++) n[split.pick(random).subset!]!++;
    expect(n.a! / 1000).toBeCloseTo(70, 0);
    expect(n.b! / 1000).toBeCloseTo(20, 0);
    expect(n.c! / 1000).toBeCloseTo(10, 0);
  });
});
