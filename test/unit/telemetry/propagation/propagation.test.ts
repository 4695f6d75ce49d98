import { describe, expect, it } from 'vitest';
import { isMeshError } from '../../../../src/core/index.js';
import type { TracePropagatorName } from '../../../../src/config/types.js';
import {
  createPropagation, type BaggageEntry, type HeaderValue, type PropagatedSpan,
} from '../../../../src/telemetry/index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const B3_TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const B3_SPAN = 'e457b5a2e4d86bd1';
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`;

const getter = (headers: Record<string, HeaderValue>) => (name: string) => headers[name];

function injected(names: readonly TracePropagatorName[], span: PropagatedSpan, baggage?: ReadonlyMap<string, BaggageEntry>) {
  const headers: Record<string, string> = {};
  createPropagation(names).inject(span, baggage, (name, value) => { headers[name] = value; });
  return headers;
}

describe('createPropagation: extract', () => {
  const w3c = createPropagation(['tracecontext', 'baggage']);

  it('reads traceparent, tracestate and baggage', () => {
    const out = w3c.extract(getter({ traceparent: TRACEPARENT, tracestate: 'rojo=1,congo=2', baggage: 'user=alice' }));
    expect(out).toEqual({
      span: { traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: 'rojo=1,congo=2' },
      baggage: new Map([['user', { value: 'alice' }]]),
    });
  });

  it('hands back the tracestate re-serialized, never the text received', () => {
    const out = w3c.extract(getter({ traceparent: TRACEPARENT, tracestate: [' rojo=1 ,, ', '\tcongo=2'] }));
    expect(out.span?.traceState).toBe('rojo=1,congo=2');
  });

  it('keeps the traceparent when the tracestate is invalid, and has no tracestate then', () => {
    const out = w3c.extract(getter({ traceparent: TRACEPARENT, tracestate: 'rojo=1,rojo=2' }));
    expect(out.span).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(out.span && 'traceState' in out.span).toBe(false);
  });

  it('starts a new trace on an invalid traceparent and reads no tracestate', () => {
    const out = w3c.extract(getter({ traceparent: `00-${TRACE}-${SPAN}-01-extra`, tracestate: 'rojo=1', baggage: 'user=alice' }));
    expect(out.span).toBeUndefined();
    expect(out.baggage?.get('user')?.value).toBe('alice');
  });

  it('gives neither span nor baggage for a request with no trace headers', () => {
    expect(w3c.extract(getter({}))).toEqual({});
  });

  it('takes the first valid span context in the configured order', () => {
    const both = getter({ traceparent: TRACEPARENT, b3: `${B3_TRACE}-${B3_SPAN}-1` });
    expect(createPropagation(['b3', 'tracecontext']).extract(both).span?.traceId).toBe(B3_TRACE);
    expect(createPropagation(['tracecontext', 'b3']).extract(both).span?.traceId).toBe(TRACE);
    const badB3 = getter({ traceparent: TRACEPARENT, b3: '1' });
    expect(createPropagation(['b3', 'tracecontext']).extract(badB3).span?.traceId).toBe(TRACE);
    const multi = getter({ 'x-b3-traceid': B3_TRACE, 'x-b3-spanid': B3_SPAN, b3: `${TRACE}-${SPAN}-0` });
    expect(createPropagation(['b3multi', 'b3']).extract(multi).span?.traceId).toBe(B3_TRACE);
    expect(createPropagation(['b3', 'b3multi']).extract(multi).span?.traceId).toBe(TRACE);
  });

  it('reads only the configured formats', () => {
    const headers = getter({ traceparent: TRACEPARENT, baggage: 'user=alice' });
    expect(createPropagation(['baggage']).extract(headers)).toEqual({ baggage: new Map([['user', { value: 'alice' }]]) });
    expect(createPropagation(['b3']).extract(headers)).toEqual({});
  });

  it('does not carry a tracestate over to a span that came from b3', () => {
    const out = createPropagation(['b3', 'tracecontext']).extract(getter({ b3: `${B3_TRACE}-${B3_SPAN}-1`, traceparent: TRACEPARENT, tracestate: 'rojo=1' }));
    expect(out.span).toEqual({ traceId: B3_TRACE, spanId: B3_SPAN, traceFlags: 1 });
  });

  it('ignores 1 MB headers that would be valid once their padding is trimmed', () => {
    const pad = ' '.repeat(1024 * 1024);
    const all = createPropagation(['tracecontext', 'b3', 'b3multi', 'baggage']);
    const out = all.extract(getter({
      traceparent: `cc-${TRACE}-${SPAN}-01-${'a'.repeat(1024 * 1024)}`,
      b3: `${B3_TRACE}-${B3_SPAN}-1${pad}`,
      'x-b3-traceid': `${B3_TRACE}${pad}`,
      'x-b3-spanid': B3_SPAN,
      baggage: `${pad}user=alice`,
    }));
    expect(out).toEqual({});
  });
});

describe('createPropagation: inject', () => {
  const span: PropagatedSpan = { traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: 'rojo=1' };
  const baggage = new Map<string, BaggageEntry>([['user', { value: 'alice smith' }]]);

  it('writes every configured format', () => {
    expect(injected(['tracecontext', 'baggage', 'b3', 'b3multi'], span, baggage)).toEqual({
      traceparent: TRACEPARENT,
      tracestate: 'rojo=1',
      b3: `${TRACE}-${SPAN}-1`,
      'x-b3-traceid': TRACE,
      'x-b3-spanid': SPAN,
      'x-b3-sampled': '1',
      baggage: 'user=alice%20smith',
    });
  });

  it('writes no tracestate or baggage when there is none', () => {
    expect(injected(['tracecontext', 'baggage'], { traceId: TRACE, spanId: SPAN, traceFlags: 0, traceState: '' }, new Map()))
      .toEqual({ traceparent: `00-${TRACE}-${SPAN}-00` });
    expect(injected(['tracecontext', 'baggage'], { traceId: TRACE, spanId: SPAN, traceFlags: 0 }, undefined))
      .toEqual({ traceparent: `00-${TRACE}-${SPAN}-00` });
  });

  it('writes baggage only when baggage is configured', () => {
    expect(injected(['tracecontext'], span, baggage)).not.toHaveProperty('baggage');
  });

  it('re-checks a tracestate given as a string: normalised when valid, dropped when not', () => {
    expect(injected(['tracecontext'], { ...span, traceState: ' rojo=1 , ,congo=2' }).tracestate).toBe('rojo=1,congo=2');
    expect(injected(['tracecontext'], { ...span, traceState: 'rojo=1\r\nx-evil: 1' })).toEqual({ traceparent: TRACEPARENT });
  });

  it('writes no trace header for a span with bad ids, but still the baggage', () => {
    for (const bad of [{ ...span, traceId: TRACE.toUpperCase() }, { ...span, spanId: '0'.repeat(16) }, { ...span, traceFlags: 256 }]) {
      expect(injected(['tracecontext', 'b3', 'baggage'], bad, baggage)).toEqual({ baggage: 'user=alice%20smith' });
    }
  });

  it('continues a b3 caller\'s trace to a W3C callee', () => {
    const propagation = createPropagation(['b3', 'tracecontext']);
    const incoming = propagation.extract(getter({ b3: `${B3_TRACE.slice(16)}-${B3_SPAN}-d-${SPAN}` }));
    expect(incoming.span).toBeDefined();
    const headers: Record<string, string> = {};
    propagation.inject(incoming.span as PropagatedSpan, undefined, (name, value) => { headers[name] = value; });
    expect(headers).toEqual({
      b3: `0000000000000000${B3_TRACE.slice(16)}-${B3_SPAN}-1`,
      traceparent: `00-0000000000000000${B3_TRACE.slice(16)}-${B3_SPAN}-01`,
    });
  });
});

describe('createPropagation: round trips', () => {
  const cases: Array<[readonly TracePropagatorName[], PropagatedSpan]> = [
    [['tracecontext'], { traceId: TRACE, spanId: SPAN, traceFlags: 3, traceState: 'mesh=a,rojo=00f067aa0ba902b7' }],
    [['tracecontext'], { traceId: TRACE, spanId: SPAN, traceFlags: 0 }],
    [['b3'], { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
    [['b3multi'], { traceId: TRACE, spanId: SPAN, traceFlags: 0 }],
    [['b3', 'tracecontext', 'baggage'], { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
  ];
  const baggage = new Map<string, BaggageEntry>([['user', { value: 'Zoë, 42', metadata: 'ttl=5' }]]);

  it.each(cases)('extract(inject(x)) is x for %j', (names, span) => {
    const propagation = createPropagation([...names, 'baggage']);
    const headers: Record<string, string> = {};
    propagation.inject(span, baggage, (name, value) => { headers[name] = value; });
    expect(propagation.extract(getter(headers))).toEqual({ span, baggage });
  });
});

describe('createPropagation: fields', () => {
  it('lists every header it reads or writes, once, in configured order', () => {
    expect(createPropagation(['tracecontext', 'baggage']).fields).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(createPropagation(['b3multi', 'b3', 'b3multi']).fields)
      .toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'x-b3-parentspanid', 'b3']);
    expect(createPropagation([]).fields).toEqual([]);
  });

  it('refuses a propagator name it does not know', () => {
    let error: unknown;
    try {
      createPropagation(['tracecontext', 'jaeger' as TracePropagatorName]);
    } catch (e) {
      error = e;
    }
    expect(isMeshError(error) && error.code).toBe('MESH_ERR_CONFIG_INVALID');
  });
});
