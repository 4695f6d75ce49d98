import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from '../../../../src/telemetry/index.js';

const TRACE = '12345678901234567890123456789012';
const SPAN = '1234567890123456';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('parseTraceparent', () => {
  it('reads the four fields of version 00', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  });

  it('keeps the level-2 random flag and clears the reserved ones', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.traceFlags).toBe(3);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.traceFlags).toBe(2);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-ff`)?.traceFlags).toBe(3);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-08`)?.traceFlags).toBe(0);
  });

  // The malformed cases of the W3C trace-context test suite (test/test.py), plus upper case.
  it.each([
    ['trailing character after version 00', `${VALID}.`],
    ['extra field for version 00', `${VALID}-what-the-future-will-be-like`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['illegal version character', `.0-${TRACE}-${SPAN}-01`],
    ['illegal version character', `0.-${TRACE}-${SPAN}-01`],
    ['version too long', `000-${TRACE}-${SPAN}-01`],
    ['version too long', `0000-${TRACE}-${SPAN}-01`],
    ['version too short', `0-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['illegal trace id character', `00-.2345678901234567890123456789012-${SPAN}-01`],
    ['illegal trace id character', `00-1234567890123456789012345678901.-${SPAN}-01`],
    ['trace id too long', `00-123456789012345678901234567890123-${SPAN}-01`],
    ['trace id too short', `00-1234567890123456789012345678901-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-0000000000000000-01`],
    ['illegal parent id character', `00-${TRACE}-.234567890123456-01`],
    ['illegal parent id character', `00-${TRACE}-123456789012345.-01`],
    ['parent id too long', `00-${TRACE}-12345678901234567-01`],
    ['parent id too short', `00-${TRACE}-123456789012345-01`],
    ['illegal flags character', `00-${TRACE}-${SPAN}-.0`],
    ['illegal flags character', `00-${TRACE}-${SPAN}-0.`],
    ['flags too long', `00-${TRACE}-${SPAN}-001`],
    ['flags too short', `00-${TRACE}-${SPAN}-1`],
    ['upper-case trace id', `00-${'ABCDEF'.padEnd(32, '1')}-${SPAN}-01`],
    ['upper-case parent id', `00-${TRACE}-ABCDEF1234567890-01`],
    ['upper-case flags', `00-${TRACE}-${SPAN}-0A`],
    ['upper-case version', `CC-${TRACE}-${SPAN}-01`],
    ['future version without the dash after the flags', `cc-${TRACE}-${SPAN}-01.what-the-future-will-be-like`],
    ['future version shorter than 55 characters', `cc-${TRACE}-${SPAN}-1`],
    ['wrong delimiter', `00_${TRACE}-${SPAN}-01`],
    ['whitespace inside', `00- ${TRACE.slice(1)}-${SPAN}-01`],
    ['empty', ''],
  ])('restarts the trace on %s', (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('reads a future version by the 00 layout and ignores what follows', () => {
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-will-be-like`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  });

  it.each([` ${VALID}`, `\t${VALID}`, `${VALID} `, `${VALID}\t`, `\t ${VALID} \t`])('trims optional whitespace: %j', header => {
    expect(parseTraceparent(header)?.traceId).toBe(TRACE);
  });

  it('does not take other whitespace for OWS', () => {
    expect(parseTraceparent(`\n${VALID}`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}\u00a0`)).toBeUndefined();
  });

  it('restarts the trace when traceparent comes twice', () => {
    expect(parseTraceparent([VALID, `00-${TRACE.replace('1', '9')}-${SPAN}-01`])).toBeUndefined();
    // Node joins repeated unknown headers with ', ' into one string.
    expect(parseTraceparent(`${VALID}, ${VALID}`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01, cc-${TRACE}-${SPAN}-01`)).toBeUndefined();
  });

  it('takes a one-element array as the header it holds, and none as none', () => {
    expect(parseTraceparent([VALID])?.spanId).toBe(SPAN);
    expect(parseTraceparent([])).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });

  it('ignores a header over 8192 characters, even a future version that would otherwise parse', () => {
    const long = `cc-${TRACE}-${SPAN}-01-${'x'.repeat(8192)}`;
    expect(parseTraceparent(long)).toBeUndefined();
    expect(parseTraceparent(long.slice(0, 8192))?.traceId).toBe(TRACE);
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with two-digit flags, reserved bits cleared', () => {
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 1 })).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 0 })).toBe(`00-${TRACE}-${SPAN}-00`);
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 0xff })).toBe(`00-${TRACE}-${SPAN}-03`);
  });

  it('round-trips through parseTraceparent', () => {
    for (const traceFlags of [0, 1, 2, 3]) {
      const span = { traceId: TRACE, spanId: SPAN, traceFlags };
      expect(parseTraceparent(formatTraceparent(span))).toEqual(span);
    }
  });
});
