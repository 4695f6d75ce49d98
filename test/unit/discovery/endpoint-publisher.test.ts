import { describe, expect, it } from 'vitest';
import { EndpointPublisher } from '../../../src/discovery/endpoint-publisher.js';
import type { EndpointSpec } from '../../../src/config/types.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const one: EndpointSpec[] = [{ address: 'a:1', host: 'a', port: 1, labels: {}, weight: 1 }];

describe('EndpointPublisher', () => {
  it('is not ready and has no set before the first publish', async () => {
    const p = new EndpointPublisher();
    let ready = false;
    void p.ready().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    expect(p.current()).toBeUndefined();
    const seen: unknown[] = [];
    p.subscribe((s) => seen.push(s));
    expect(seen).toEqual([]);
    p.publish(one);
    await p.ready();
    expect(seen).toEqual([one]);
  });

  it('keeps telling the other listeners when one throws, and logs it', () => {
    const log = new RecordingLogger();
    const p = new EndpointPublisher(log);
    const seen: unknown[] = [];
    p.subscribe(() => {
      throw new Error('bad listener');
    });
    p.subscribe((s) => seen.push(s));
    p.publish(one);
    expect(seen).toEqual([one]);
    expect(log.at('error')).toHaveLength(1);
  });

  it('stops telling a listener that unsubscribed', () => {
    const p = new EndpointPublisher();
    const seen: unknown[] = [];
    const stop = p.subscribe((s) => seen.push(s));
    p.publish(one);
    stop();
    p.publish([]);
    expect(seen).toEqual([one]);
  });
});
