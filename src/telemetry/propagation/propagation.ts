import type { TracePropagatorName } from '../../config/types.js';
import { formatB3Single, parseB3Multi, parseB3Single } from './b3.js';
import { formatBaggage, parseBaggage } from './baggage.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import { formatTraceState, parseTraceState } from './tracestate.js';
import { joinedValue, singleValue, type BaggageEntry, type Extracted, type HeaderGetter, type HeaderSetter, type PropagatedSpan } from './types.js';

export interface Propagation {
  extract(get: HeaderGetter): Extracted;
  inject(span: PropagatedSpan, baggage: ReadonlyMap<string, BaggageEntry> | undefined, set: HeaderSetter): void;
  /** Every header name this propagation reads or writes (lower-case). */
  readonly fields: readonly string[];
}

const FIELDS: Record<TracePropagatorName, readonly string[]> = {
  tracecontext: ['traceparent', 'tracestate'],
  baggage: ['baggage'],
  b3: ['b3'],
  b3multi: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'],
};

function extractTraceContext(get: HeaderGetter): PropagatedSpan | undefined {
  const raw = singleValue(get('traceparent'));
  const parent = raw === undefined ? undefined : parseTraceparent(raw);
  if (parent === undefined) return undefined;
  // tracestate is read only with a valid traceparent, and re-serialized: never passed on as received.
  const stateRaw = joinedValue(get('tracestate'));
  const entries = stateRaw === undefined ? undefined : parseTraceState(stateRaw);
  const state = entries === undefined ? '' : formatTraceState(entries);
  return state === '' ? parent : { ...parent, traceState: state };
}

function extractB3(get: HeaderGetter): PropagatedSpan | undefined {
  const raw = singleValue(get('b3'));
  return raw === undefined ? undefined : parseB3Single(raw);
}

function extractB3Multi(get: HeaderGetter): PropagatedSpan | undefined {
  const traceId = singleValue(get('x-b3-traceid'));
  const spanId = singleValue(get('x-b3-spanid'));
  if (traceId === undefined || spanId === undefined) return undefined;
  return parseB3Multi(traceId, spanId, singleValue(get('x-b3-sampled')), singleValue(get('x-b3-flags')));
}

/**
 * The trace headers a workload reads and writes, as mesh.yaml's `propagators` lists them. On
 * extraction the formats are tried in that order and the first valid context wins; on injection
 * every format is written, so callers and callees on either convention join the same trace.
 */
export function createPropagation(names: readonly TracePropagatorName[]): Propagation {
  const unique = [...new Set(names)];
  const spanFormats = unique.filter((n) => n !== 'baggage');
  const withBaggage = unique.includes('baggage');
  return {
    fields: unique.flatMap((n) => FIELDS[n]),
    extract(get) {
      let span: PropagatedSpan | undefined;
      for (const n of spanFormats) {
        span = n === 'tracecontext' ? extractTraceContext(get) : n === 'b3' ? extractB3(get) : extractB3Multi(get);
        if (span !== undefined) break;
      }
      let baggage: Map<string, BaggageEntry> | undefined;
      if (withBaggage) {
        const raw = joinedValue(get('baggage'));
        if (raw !== undefined) baggage = parseBaggage(raw);
        if (baggage?.size === 0) baggage = undefined;
      }
      return { ...(span && { span }), ...(baggage && { baggage }) };
    },
    inject(span, baggage, set) {
      for (const n of spanFormats) {
        if (n === 'tracecontext') {
          set('traceparent', formatTraceparent(span));
          if (span.traceState) set('tracestate', span.traceState);
        } else if (n === 'b3') {
          set('b3', formatB3Single(span));
        } else {
          set('x-b3-traceid', span.traceId);
          set('x-b3-spanid', span.spanId);
          set('x-b3-sampled', span.traceFlags & 1 ? '1' : '0');
        }
      }
      if (withBaggage && baggage !== undefined && baggage.size > 0) {
        const value = formatBaggage(baggage);
        if (value !== '') set('baggage', value);
      }
    },
  };
}
