import { describe, expect, it } from 'vitest';
import {
  formatB3Multi, formatB3Single, parseB3Multi, parseB3Single, type HeaderValue,
} from '../../../../src/telemetry/index.js';

const TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const SHORT_TRACE = '64fe8b2a57d3eff7';
const SPAN = 'e457b5a2e4d86bd1';
const PARENT = '05e3ac9a4f6e3b90';

describe('parseB3Single', () => {
  it('reads trace id, span id and sampling, and checks the parent id', () => {
    expect(parseB3Single(`${TRACE}-${SPAN}-1-${PARENT}`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parseB3Single(`${TRACE}-${SPAN}-0`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
    expect(parseB3Single(`${TRACE}-${SPAN}`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  });

  it('takes debug as sampled', () => {
    expect(parseB3Single(`${TRACE}-${SPAN}-d-${PARENT}`)?.traceFlags).toBe(1);
  });

  it('left-pads a 64-bit trace id to 32 characters', () => {
    expect(parseB3Single(`${SHORT_TRACE}-${SPAN}-1`)?.traceId).toBe(`0000000000000000${SHORT_TRACE}`);
  });

  it.each(['0', '1', 'd'])('has no span context for a lone sampling decision %j', header => {
    expect(parseB3Single(header)).toBeUndefined();
  });

  it.each([
    ['an all-zero trace id', `${'0'.repeat(32)}-${SPAN}-1`],
    ['an all-zero 64-bit trace id', `${'0'.repeat(16)}-${SPAN}-1`],
    ['an all-zero span id', `${TRACE}-${'0'.repeat(16)}-1`],
    ['a trace id of 24 characters', `${TRACE.slice(0, 24)}-${SPAN}-1`],
    ['an upper-case trace id', `${TRACE.toUpperCase()}-${SPAN}-1`],
    ['a short span id', `${TRACE}-${SPAN.slice(1)}-1`],
    ['an unknown sampling state', `${TRACE}-${SPAN}-true`],
    ['a parent id where sampling goes', `${TRACE}-${SPAN}-${PARENT}`],
    ['a bad parent id', `${TRACE}-${SPAN}-1-xyz`],
    ['a fifth field', `${TRACE}-${SPAN}-1-${PARENT}-1`],
    ['an empty span id', `${TRACE}--1`],
    ['an empty header', ''],
  ])('is invalid with %s', (_, header) => {
    expect(parseB3Single(header)).toBeUndefined();
  });

  it('trims whitespace and refuses a repeated header', () => {
    expect(parseB3Single(` ${TRACE}-${SPAN}-1\t`)?.spanId).toBe(SPAN);
    expect(parseB3Single([`${TRACE}-${SPAN}-1`, `${TRACE}-${PARENT}-1`])).toBeUndefined();
  });
});

describe('formatB3Single', () => {
  it('writes the ids and a 1 or 0, and round-trips', () => {
    const sampled = { traceId: TRACE, spanId: SPAN, traceFlags: 1 };
    expect(formatB3Single(sampled)).toBe(`${TRACE}-${SPAN}-1`);
    expect(formatB3Single({ ...sampled, traceFlags: 2 })).toBe(`${TRACE}-${SPAN}-0`);
    expect(parseB3Single(formatB3Single(sampled))).toEqual(sampled);
  });
});

const getter = (headers: Record<string, HeaderValue>) => (name: string) => headers[name];

describe('parseB3Multi', () => {
  it.each([
    ['1', 1], ['true', 1], ['0', 0], ['false', 0],
  ] as const)('reads x-b3-sampled %j', (sampled, flags) => {
    expect(parseB3Multi(getter({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': sampled })))
      .toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: flags });
  });

  it('takes x-b3-flags: 1 (debug) as sampled, whatever x-b3-sampled says', () => {
    expect(parseB3Multi(getter({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }))?.traceFlags).toBe(1);
    expect(parseB3Multi(getter({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0', 'x-b3-flags': '1' }))?.traceFlags).toBe(1);
    expect(parseB3Multi(getter({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '0' }))?.traceFlags).toBe(0);
  });

  it('leaves a deferred decision (no x-b3-sampled) unsampled', () => {
    expect(parseB3Multi(getter({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN }))?.traceFlags).toBe(0);
  });

  it('pads a 64-bit trace id', () => {
    expect(parseB3Multi(getter({ 'x-b3-traceid': SHORT_TRACE, 'x-b3-spanid': SPAN }))?.traceId).toBe(`0000000000000000${SHORT_TRACE}`);
  });

  it.each([
    ['no trace id', { 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }],
    ['no span id', { 'x-b3-traceid': TRACE, 'x-b3-sampled': '1' }],
    ['only a sampling decision', { 'x-b3-sampled': '1' }],
    ['an all-zero trace id', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': SPAN }],
    ['an upper-case span id', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN.toUpperCase() }],
    ['an unknown sampled value', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'yes' }],
    ['a repeated trace id', { 'x-b3-traceid': [TRACE, TRACE], 'x-b3-spanid': SPAN }],
  ])('is invalid with %s', (_, headers) => {
    expect(parseB3Multi(getter(headers))).toBeUndefined();
  });
});

describe('formatB3Multi', () => {
  it('writes the three headers and round-trips', () => {
    const span = { traceId: TRACE, spanId: SPAN, traceFlags: 1 };
    const headers = Object.fromEntries(formatB3Multi(span));
    expect(headers).toEqual({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    expect(parseB3Multi(getter(headers))).toEqual(span);
    expect(Object.fromEntries(formatB3Multi({ ...span, traceFlags: 0 }))['x-b3-sampled']).toBe('0');
  });
});
