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
