import { formatB3Multi, parseB3Multi, B3_FLAGS_HEADER, B3_PARENT_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_SPAN_ID_HEADER, B3_TRACE_ID_HEADER } from './b3-multi.js';
import { formatB3Single, parseB3Single, B3_SINGLE_HEADER } from './b3-single.js';
import { formatTraceparent, parseTraceparent, TRACEPARENT_HEADER } from './traceparent.js';
import { formatTraceState, parseTraceState, TRACESTATE_HEADER } from './tracestate.js';
import type { HeaderGetter, HeaderSetter, PropagatedSpan } from './types.js';

/** One wire format of a span context: the headers it owns, how to read them and how to write them. */
export interface SpanFormat {
  readonly fields: readonly string[];
  extract(get: HeaderGetter): PropagatedSpan | undefined;
  /** Given a span that passed isValidPropagatedSpan. */
  inject(span: PropagatedSpan, set: HeaderSetter): void;
}

const traceContext: SpanFormat = {
  fields: [TRACEPARENT_HEADER, TRACESTATE_HEADER],
  extract(get) {
    const span = parseTraceparent(get(TRACEPARENT_HEADER));
    if (span === undefined) return undefined;
    // Rebuilt from the parsed entries, never the received text: what we pass on is what we checked.
    const entries = parseTraceState(get(TRACESTATE_HEADER));
    const traceState = entries === undefined ? '' : formatTraceState(entries);
    return traceState === '' ? span : { ...span, traceState };
  },
  inject(span, set) {
    set(TRACEPARENT_HEADER, formatTraceparent(span));
    if (span.traceState === undefined || span.traceState === '') return;
    // Checked again because a caller may have built the string itself; an invalid one is not sent at all.
    const entries = parseTraceState(span.traceState);
    const traceState = entries === undefined ? '' : formatTraceState(entries);
    if (traceState !== '') set(TRACESTATE_HEADER, traceState);
  },
};

const b3Single: SpanFormat = {
  fields: [B3_SINGLE_HEADER],
  extract: get => parseB3Single(get(B3_SINGLE_HEADER)),
  inject(span, set) {
    set(B3_SINGLE_HEADER, formatB3Single(span));
  },
};

const b3Multi: SpanFormat = {
  fields: [B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER, B3_PARENT_SPAN_ID_HEADER],
  extract: parseB3Multi,
  inject(span, set) {
    for (const [name, value] of formatB3Multi(span)) set(name, value);
  },
};

export const SPAN_FORMATS = { tracecontext: traceContext, b3: b3Single, b3multi: b3Multi } as const;
