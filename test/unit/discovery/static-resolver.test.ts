import { describe, expect, it } from 'vitest';
import { staticResolver } from '../../../src/discovery/static-resolver.js';
import type { EndpointSpec } from '../../../src/config/types.js';

const eps: EndpointSpec[] = [
  { address: '127.0.0.1:8081', host: '127.0.0.1', port: 8081, labels: {}, weight: 1 },
  { address: '127.0.0.1:8082', host: '127.0.0.1', port: 8082, labels: { version: 'v2' }, weight: 3 },
];

describe('staticResolver', () => {
  it('is ready at once and hands every subscriber the set straight away', async () => {
    const r = staticResolver(eps);
    await r.ready();
    expect(r.current()).toEqual(eps);
    const seen: (readonly EndpointSpec[])[] = [];
    r.subscribe((s) => seen.push(s));
    r.subscribe((s) => seen.push(s));
    expect(seen).toEqual([eps, eps]);
  });

  it('keeps a frozen copy the caller cannot change', () => {
    const mine = [...eps];
    const r = staticResolver(mine);
    mine.pop();
    expect(r.current()).toHaveLength(2);
    expect(Object.isFrozen(r.current())).toBe(true);
  });

  it('unsubscribes and closes without complaint', () => {
    const r = staticResolver(eps);
    const stop = r.subscribe(() => {});
    stop();
    r.close();
    r.close();
    expect(r.current()).toHaveLength(2);
  });
});
