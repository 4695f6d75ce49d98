import { describe, expect, it } from 'vitest';
import { EndpointSet } from '../../../src/balancer/endpoint-set.js';
import type { EndpointSpec } from '../../../src/config/types.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

class TestEndpoint {
  readonly address: string;
  readonly spec: EndpointSpec;
  closes = 0;
  failClose = false;
  constructor(spec: EndpointSpec) {
    this.address = spec.address;
    this.spec = spec;
  }
  async close(): Promise<void> {
    this.closes++;
    if (this.failClose) throw new Error('pool would not close');
  }
}

function spec(address: string, o: { weight?: number; labels?: Record<string, string> } = {}): EndpointSpec {
  const [host = '', port = '0'] = address.split(':');
  return { address, host, port: Number(port), labels: o.labels ?? {}, weight: o.weight ?? 1 };
}

function setup() {
  const made: TestEndpoint[] = [];
  const changes: (readonly TestEndpoint[])[] = [];
  const log = new RecordingLogger();
  const set = new EndpointSet<TestEndpoint>(
    (s) => {
      const e = new TestEndpoint(s);
      made.push(e);
      return e;
    },
    (eps) => changes.push(eps),
    log,
  );
  return { set, made, changes, log };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('EndpointSet', () => {
  it('makes an endpoint per new address and reports the list', () => {
    const { set, made, changes } = setup();
    expect(set.endpoints).toEqual([]);
    set.update([spec('a:1'), spec('b:1')]);
    expect(made.map((e) => e.address)).toEqual(['a:1', 'b:1']);
    expect(set.endpoints).toEqual(made);
    expect(Object.isFrozen(set.endpoints)).toBe(true);
    expect(changes).toEqual([set.endpoints]);
  });

  it('keeps the same object for an endpoint that stays, and closes the one that left exactly once', async () => {
    const { set, made, changes } = setup();
    set.update([spec('a:1'), spec('b:1'), spec('c:1')]);
    const [a, b, c] = made;
    set.update([spec('c:1'), spec('a:1'), spec('d:1')]);
    expect(set.endpoints).toContain(a);
    expect(set.endpoints).toContain(c);
    expect(set.endpoints).not.toContain(b);
    expect(made).toHaveLength(4);
    expect(changes).toHaveLength(2);
    await flush();
    expect(b!.closes).toBe(1);
    expect(a!.closes + c!.closes).toBe(0);
    set.update([spec('c:1'), spec('a:1'), spec('d:1')]);
    await set.close();
    expect(b!.closes).toBe(1);
    expect(made.map((e) => e.closes)).toEqual([1, 1, 1, 1]);
  });

  it('does not call onChange when nothing changed, reordering included', () => {
    const { set, made, changes } = setup();
    set.update([spec('a:1'), spec('b:1')]);
    const before = set.endpoints;
    set.update([spec('a:1'), spec('b:1')]);
    set.update([spec('b:1'), spec('a:1')]);
    set.update([spec('b:1', { labels: {} }), spec('a:1', { weight: 1 })]);
    expect(changes).toHaveLength(1);
    expect(set.endpoints).toBe(before);
    expect(made).toHaveLength(2);
  });

  it('replaces an endpoint whose labels or weight changed', async () => {
    const { set, made, changes } = setup();
    set.update([spec('a:1', { labels: { version: 'v1' } }), spec('b:1')]);
    const [a1, b1] = made;
    set.update([spec('a:1', { labels: { version: 'v2' } }), spec('b:1')]);
    expect(made).toHaveLength(3);
    const a2 = made[2]!;
    expect(a2.spec.labels).toEqual({ version: 'v2' });
    expect(set.endpoints).toEqual([a2, b1]);
    set.update([spec('a:1', { labels: { version: 'v2' } }), spec('b:1', { weight: 5 })]);
    expect(made).toHaveLength(4);
    expect(set.endpoints).not.toContain(b1);
    expect(changes).toHaveLength(3);
    await flush();
    expect([a1!.closes, b1!.closes, a2.closes]).toEqual([1, 1, 0]);
  });

  it('keeps the first of duplicate addresses', () => {
    const { set, made } = setup();
    set.update([spec('a:1', { weight: 2 }), spec('a:1', { weight: 9 })]);
    expect(made).toHaveLength(1);
    expect(made[0]!.spec.weight).toBe(2);
  });

  it('logs, and does not throw, when closing a removed endpoint fails', async () => {
    const { set, made, log } = setup();
    set.update([spec('a:1'), spec('b:1')]);
    made[0]!.failClose = true;
    expect(() => set.update([spec('b:1')])).not.toThrow();
    await flush();
    expect(log.at('warn')).toHaveLength(1);
    expect(log.at('warn')[0]!.fields).toMatchObject({ endpoint: 'a:1' });
  });

  it('applies an update all or nothing when making an endpoint throws', async () => {
    const made: TestEndpoint[] = [];
    const set = new EndpointSet<TestEndpoint>((s) => {
      if (s.address === 'bad:1') throw new Error('cannot make');
      const e = new TestEndpoint(s);
      made.push(e);
      return e;
    });
    set.update([spec('a:1')]);
    const before = set.endpoints;
    expect(() => set.update([spec('a:1'), spec('b:1'), spec('bad:1')])).toThrow('cannot make');
    expect(set.endpoints).toBe(before);
    await flush();
    expect(made.map((e) => [e.address, e.closes])).toEqual([
      ['a:1', 0],
      ['b:1', 1],
    ]);
  });

  it('close() closes every endpoint, awaits them, and ignores later updates', async () => {
    const { set, made, changes } = setup();
    set.update([spec('a:1'), spec('b:1')]);
    await set.close();
    expect(made.map((e) => e.closes)).toEqual([1, 1]);
    expect(set.endpoints).toEqual([]);
    set.update([spec('c:1')]);
    expect(made).toHaveLength(2);
    expect(changes).toHaveLength(1);
    await set.close();
    expect(made.map((e) => e.closes)).toEqual([1, 1]);
  });
});
