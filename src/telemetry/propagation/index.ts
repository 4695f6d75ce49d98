export * from './types.js';
export * from './propagation.js';
export { parseTraceparent, formatTraceparent, TRACEPARENT_HEADER } from './traceparent.js';
export {
  parseTraceState, formatTraceState, setTraceStateEntry, removeTraceStateEntry,
  TRACESTATE_HEADER, MAX_TRACE_STATE_MEMBERS, MAX_TRACE_STATE_LENGTH, type TraceStateEntries,
} from './tracestate.js';
export { isValidTraceStateKey, isValidTraceStateValue } from './tracestate-grammar.js';
export { parseBaggage, formatBaggage, BAGGAGE_HEADER, MAX_BAGGAGE_MEMBERS, MAX_BAGGAGE_LENGTH, MAX_BAGGAGE_MEMBER_LENGTH } from './baggage.js';
export { parseB3Single, formatB3Single, B3_SINGLE_HEADER } from './b3-single.js';
export {
  parseB3Multi, formatB3Multi,
  B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER, B3_PARENT_SPAN_ID_HEADER,
} from './b3-multi.js';
export { isValidTraceId, isValidSpanId, isValidPropagatedSpan, SAMPLED_FLAG } from './span-ids.js';
export { MAX_TRACE_HEADER_LENGTH } from './header-text.js';
