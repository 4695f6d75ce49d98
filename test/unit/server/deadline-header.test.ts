import { describe, expect, it } from 'vitest';
import { parseDeadlineHeader } from '../../../src/server/deadline-header.js';

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

  it('caps long budgets so that clock arithmetic stays exact', () => {
    expect(parseDeadlineHeader('999999999999999')).toBe(1e12);
  });
});
