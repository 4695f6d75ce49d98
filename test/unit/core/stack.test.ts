import { describe, expect, it } from 'vitest';
import { Stack, type Module } from '../../../src/core/stack.js';
import { createCallContext } from '../../../src/core/context.js';
import { FakeClock } from '../../../src/core/fake-clock.js';
import type { Service } from '../../../src/core/service.js';

type Cfg = { tag: string; off?: string };
const env = { clock: new FakeClock(), random: () => 0.5, log: console };

/** A module that appends its role to the request on the way in and the response on the way out. */
function tracer(role: string): Module<Cfg> {
  return {
    role,
    description: `appends ${role}`,
    layer: (cfg) => (cfg.off === role ? undefined : (next: Service<string[], string[]>) => async (req, ctx) => [...(await next([...req, role], ctx)), `${role}<-`]),
  };
}

const leaf: Service<string[], string[]> = async (req) => [...req, 'leaf'];
const ctx = createCallContext({ service: 's' });

describe('Stack', () => {
  const base = Stack.of<Cfg>(tracer('a'), tracer('b'), tracer('c'));

  it('builds first module outermost', async () => {
    expect(await base.build({ tag: '' }, env, leaf)([], ctx)).toEqual(['a', 'b', 'c', 'leaf', 'c<-', 'b<-', 'a<-']);
  });

  it('inserts, replaces and removes by role without changing the original', async () => {
    const patched = base.insertAfter('a', tracer('x')).insertBefore('c', tracer('y')).replace('b', tracer('z')).remove('c');
    expect(patched.roles).toEqual(['a', 'x', 'z', 'y']);
    expect(base.roles).toEqual(['a', 'b', 'c']);
    expect(await patched.build({ tag: '' }, env, leaf)([], ctx)).toEqual(['a', 'x', 'z', 'y', 'leaf', 'y<-', 'z<-', 'x<-', 'a<-']);
    expect(base.push(tracer('top'), 'outermost').roles[0]).toBe('top');
  });

  it('skips a module whose layer is turned off by config', async () => {
    expect(await base.build({ tag: '', off: 'b' }, env, leaf)([], ctx)).toEqual(['a', 'c', 'leaf', 'c<-', 'a<-']);
  });

  it('refuses an unknown role and a duplicate one', () => {
    expect(() => base.remove('nope')).toThrow(/no module with role nope/);
    expect(() => base.insertAfter('a', tracer('b'))).toThrow(/appears twice/);
  });
});

describe('Stack taps', () => {
  type Calls = string[];
  function tapModule(role: string, calls: Calls): Module<Cfg> {
    return {
      role,
      description: `watches as ${role}`,
      tap: () => ({
        start: () => calls.push(`${role}:start`),
        response: (res: unknown, _ctx, startedAt) => calls.push(`${role}:res:${String(res)}@${startedAt}`),
        error: (err: unknown) => calls.push(`${role}:err:${(err as Error).message}`),
      }),
    };
  }

  it('runs adjacent taps as one group around the layers inside them, in stack order', async () => {
    const calls: Calls = [];
    const clock = new FakeClock(7);
    const stack = Stack.of<Cfg>(tapModule('t1', calls), tapModule('t2', calls), tracer('a'));
    const svc = stack.build({ tag: '' }, { ...env, clock }, async (req: string[]) => [...req, 'leaf']);
    expect(await svc([], ctx)).toEqual(['a', 'leaf', 'a<-']);
    expect(calls).toEqual(['t1:start', 't2:start', 't1:res:a,leaf,a<-@7', 't2:res:a,leaf,a<-@7']);
    calls.length = 0;
    const failing = stack.build({ tag: '' }, { ...env, clock }, async () => {
      throw new Error('boom');
    });
    await expect(failing([], ctx)).rejects.toThrow('boom');
    expect(calls).toEqual(['t1:start', 't2:start', 't1:err:boom', 't2:err:boom']);
  });

  it('hands taps directly above a TapLeaf to the leaf, and returns outermost taps on request', async () => {
    const calls: Calls = [];
    let handed: unknown;
    const leaf = Object.assign(async (req: string[]) => [...req, 'plain-leaf'], {
      withTap(tap: unknown) {
        handed = tap;
        return async (req: string[]) => [...req, 'tapped-leaf'];
      },
    });
    const stack = Stack.of<Cfg>(tapModule('outer', calls), tracer('a'), tapModule('inner', calls));
    const built = stack.buildWithOuterTap({ tag: '' }, env, leaf);
    expect(handed).toBeDefined();
    expect(built.outerTap).toBeDefined();
    expect(await built.service([], ctx)).toEqual(['a', 'tapped-leaf', 'a<-']);
    // The outer tap was not wrapped around the service: the caller runs it.
    expect(calls).toEqual([]);
  });
});
