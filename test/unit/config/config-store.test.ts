import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigValidationError } from '../../../src/core/index.js';
import { ConfigStore } from '../../../src/config/config-store.js';
import { parseMeshConfig } from '../../../src/config/load.js';
import type { ConfigSnapshot } from '../../../src/config/types.js';
import { yaml } from './config-test-helpers.js';

const snap = (timeout: string, version = 1): ConfigSnapshot =>
  parseMeshConfig(yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]', `    timeout: ${timeout}`), { version });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ConfigStore', () => {
  it('publishes applied snapshots to subscribers, with versions that only go up', () => {
    const store = new ConfigStore(snap('1s', 5));
    const seen: ConfigSnapshot[] = [];
    const off = store.subscribe((s) => seen.push(s));

    const applied = store.apply(snap('2s', 1));
    expect(applied.version).toBe(6);
    expect(Object.isFrozen(applied)).toBe(true);
    expect(store.current()).toBe(applied);
    expect(store.apply(snap('3s', 10)).version).toBe(10);
    expect(seen.map((s) => [s.version, s.config.services.orders!.timeout])).toEqual([
      [6, 2000],
      [10, 3000],
    ]);

    off();
    store.apply(snap('4s'));
    expect(seen).toHaveLength(2);
    expect(store.current().version).toBe(11);
    expect(store.stats()).toEqual({ applied: 3, rejected: 0 });
  });

  it('keeps the last good snapshot when an update fails, counts it and tells onRejected listeners', () => {
    const good = snap('1s');
    const store = new ConfigStore(good);
    const applied: ConfigSnapshot[] = [];
    const rejected: ConfigValidationError[] = [];
    store.subscribe((s) => applied.push(s));
    store.onRejected((e) => rejected.push(e));

    const r = store.tryApply(() => snap('soon'));
    expect(r.ok).toBe(false);
    expect(store.current()).toBe(good);
    expect(applied).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.issues[0]).toMatchObject({ path: 'services.orders.timeout', line: 4 });
    expect(store.stats()).toEqual({ applied: 0, rejected: 1, lastError: rejected[0] });

    const ok = store.tryApply(() => snap('2s'));
    expect(ok).toMatchObject({ ok: true, changed: true, snapshot: { version: 2 } });
    expect(store.current().config.services.orders!.timeout).toBe(2000);
    expect(store.stats()).toMatchObject({ applied: 1, rejected: 1 });
  });

  it('wraps an unexpected failure in a ConfigValidationError', () => {
    const store = new ConfigStore(snap('1s'));
    const r = store.tryApply(() => {
      throw new Error('disk on fire');
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(ConfigValidationError);
      expect(r.error.issues).toEqual([{ path: '', message: 'disk on fire' }]);
    }
  });

  it('with ifChanged, does not re-apply an equal configuration', () => {
    const store = new ConfigStore(snap('1s'));
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.tryApply(() => snap('1000ms'), { ifChanged: true })).toMatchObject({ ok: true, changed: false, snapshot: { version: 1 } });
    expect(listener).not.toHaveBeenCalled();
    expect(store.tryApply(() => snap('1001ms'), { ifChanged: true })).toMatchObject({ ok: true, changed: true, snapshot: { version: 2 } });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("still notifies every subscriber when one throws, and rethrows that error outside the store's loop", () => {
    const deferred: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => void deferred.push(fn));
    const store = new ConfigStore(snap('1s'));
    const after = vi.fn();
    store.subscribe(() => {
      throw new Error('buggy subscriber');
    });
    store.subscribe(after);
    store.apply(snap('2s'));
    expect(after).toHaveBeenCalledTimes(1);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('buggy subscriber');
  });
});
