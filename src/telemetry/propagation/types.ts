/** Lower-case hex ids; traceFlags bit 0 = sampled (bit 1 = W3C level-2 random flag, kept as received). */
export interface PropagatedSpan {
  readonly traceId: string;   // 32 lower-case hex, not all zeros
  readonly spanId: string;    // 16 lower-case hex, not all zeros
  readonly traceFlags: number;
  /** Serialized, already validated and normalised tracestate ('' or undefined when none). */
  readonly traceState?: string;
}

/** One W3C baggage member: the percent-decoded value and its properties as received (`;`-separated, unparsed). */
export interface BaggageEntry { readonly value: string; readonly metadata?: string }

export interface Extracted {
  /** undefined: no valid incoming context, so the caller starts a new trace. */
  readonly span?: PropagatedSpan;
  /** undefined when there was no baggage or none of it was valid. */
  readonly baggage?: ReadonlyMap<string, BaggageEntry>;
}

/** What one header read gives: Node gives string | string[] | undefined. */
export type HeaderValue = string | readonly string[] | undefined;

/** Reads one request header by lower-case name. */
export type HeaderGetter = (name: string) => HeaderValue;
export type HeaderSetter = (name: string, value: string) => void;

export interface Propagation {
  extract(get: HeaderGetter): Extracted;
  inject(span: PropagatedSpan, baggage: ReadonlyMap<string, BaggageEntry> | undefined, set: HeaderSetter): void;
  /** Every header name this propagation reads or writes (lower-case), e.g. so a caller can drop stale ones. */
  readonly fields: readonly string[];
}
