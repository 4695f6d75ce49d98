import { MeshError } from '../../core/index.js';
import type { TracePropagatorName } from '../../config/types.js';
import { BAGGAGE_HEADER, formatBaggage, parseBaggage } from './baggage.js';
import { isValidPropagatedSpan } from './span-ids.js';
import { SPAN_FORMATS, type SpanFormat } from './span-formats.js';
import type { BaggageEntry, Extracted, HeaderGetter, HeaderSetter, PropagatedSpan, Propagation } from './types.js';

/**
 * The configured propagators as one. Extraction tries the span formats in the configured order and the first
 * valid context wins, so `['b3', 'tracecontext']` prefers b3 when a request carries both; 'baggage' only
 * contributes baggage. Injection writes every configured format, which is how a b3 caller's trace continues
 * to a W3C callee. A name given twice counts once, at its first place.
 *
 * @example
 * const propagation = createPropagation(['tracecontext', 'baggage']);
 * const { span, baggage } = propagation.extract(name => req.headers[name]);
 * propagation.inject(child, baggage, (name, value) => outgoing.setHeader(name, value));
 */
export function createPropagation(names: readonly TracePropagatorName[]): Propagation {
  const unique = [...new Set(names)];
  for (const name of unique) {
    if (name !== 'baggage' && !Object.hasOwn(SPAN_FORMATS, name)) {
      throw new MeshError('MESH_ERR_CONFIG_INVALID', `unknown trace propagator "${String(name)}": expected tracecontext, baggage, b3 or b3multi`);
    }
  }
  const formats: SpanFormat[] = [];
  for (const name of unique) if (name !== 'baggage') formats.push(SPAN_FORMATS[name]);
  const withBaggage = unique.includes('baggage');
  const fields = Object.freeze([...new Set(unique.flatMap(name => (name === 'baggage' ? [BAGGAGE_HEADER] : SPAN_FORMATS[name].fields)))]);

  return {
    fields,
    extract(get: HeaderGetter): Extracted {
      let span: PropagatedSpan | undefined;
      for (const format of formats) {
        span = format.extract(get);
        if (span !== undefined) break;
      }
      const baggage = withBaggage ? parseBaggage(get(BAGGAGE_HEADER)) : undefined;
      return { ...(span && { span }), ...(baggage && { baggage }) };
    },
    inject(span: PropagatedSpan, baggage: ReadonlyMap<string, BaggageEntry> | undefined, set: HeaderSetter): void {
      if (isValidPropagatedSpan(span)) for (const format of formats) format.inject(span, set);
      if (!withBaggage || baggage === undefined || baggage.size === 0) return;
      const value = formatBaggage(baggage);
      if (value !== '') set(BAGGAGE_HEADER, value);
    },
  };
}
