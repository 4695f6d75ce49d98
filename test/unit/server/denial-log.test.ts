import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { DenialLog } from '../../../src/server/denial-log.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

describe('DenialLog', () => {
  it('writes at most 10 lines per 10 s, and the next window says how many it left out', () => {
    const clock = new FakeClock(0);
    const log = new RecordingLogger();
    const denials = new DenialLog(log, clock);
    let built = 0;
    for (let i = 0; i < 50; i++) denials.warn('inbound request refused', () => ({ i: ++built }));
    expect(log.at('warn')).toHaveLength(10);
    expect(built).toBe(10); // fields are only built for lines written
    clock.advance(10_000);
    denials.warn('inbound request refused', () => ({ i: 'next' }));
    expect(log.at('warn').at(-1)?.fields).toEqual({ i: 'next', suppressed: 40 });
  });
});
