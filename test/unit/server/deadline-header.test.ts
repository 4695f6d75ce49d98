import { describe, expect, it } from 'vitest';
import { MAX_DEADLINE_MS, parseDeadlineHeader } from '../../../src/server/deadline-header.js';

describe('parseDeadlineHeader', () => {
  it('reads whole milliseconds', () => {
    expect(parseDeadlineHeader('0')).toBe(0);
    expect(parseDeadlineHeader('250')).toBe(250);
    expect(parseDeadlineHeader('000123')).toBe(123);
  });

  it('refuses anything that is not plain digits', () => {
    for (const bad of ['', ' 5', '5 ', '-5', '1.5', '2s', '0x10', '1e3', 'soon', '١٢']) expect(parseDeadlineHeader(bad), bad).toBe(-1);
  });

  it('refuses a repeated header and absurd lengths', () => {
    expect(parseDeadlineHeader(['100', '200'])).toBe(-1);
    expect(parseDeadlineHeader('1234567890123456')).toBe(-1);
  });

  it('caps long budgets below what a Node timer can hold (2^31-1 ms), so that no timer overflows to 1 ms', () => {
    expect(parseDeadlineHeader('999999999999999')).toBe(MAX_DEADLINE_MS);
    expect(parseDeadlineHeader('2147483652')).toBe(MAX_DEADLINE_MS);
    expect(MAX_DEADLINE_MS).toBeLessThan(2 ** 31 - 1 - 1000);
    expect(parseDeadlineHeader(String(MAX_DEADLINE_MS - 1))).toBe(MAX_DEADLINE_MS - 1);
  });
});
