import { describe, expect, it } from 'vitest';
import { parseLoadReport } from '../../../src/core/mesh-headers.js';

describe('parseLoadReport', () => {
  it('reads a report as servers format it', () => {
    expect(parseLoadReport('inflight=3;elu=0.424')).toEqual({ inflight: 3, elu: 0.424 });
    expect(parseLoadReport('inflight=0; elu=1.000')).toEqual({ inflight: 0, elu: 1 });
    expect(parseLoadReport('elu=0')).toEqual({ inflight: undefined, elu: 0 });
  });

  it('ignores a report whose values are NaN, negative, above 1 or not plain decimals, as a whole', () => {
    for (const junk of [
      'inflight=3;elu=NaN',
      'inflight=3;elu=-1',
      'inflight=-1;elu=0.5',
      'inflight=3;elu=1.5',
      'inflight=3;elu=0x10',
      'inflight=3;elu=1e-3',
      'inflight=3;elu=Infinity',
      'inflight=3;elu=',
      'inflight=0x3;elu=0.5',
      'inflight=2.5;elu=0.5',
      'inflight=3;elu=0.5;elu=0.1',
      'inflight=3;elu',
      'inflight=3;;elu=0.5',
      'garbage',
      '',
    ]) {
      expect(parseLoadReport(junk), junk).toBeUndefined();
    }
    expect(parseLoadReport(undefined)).toBeUndefined();
  });

  it('skips fields it does not know, so servers can add some later', () => {
    expect(parseLoadReport('inflight=1;elu=0.2;cpu=0.7')).toEqual({ inflight: 1, elu: 0.2 });
  });
});
