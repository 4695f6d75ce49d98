import { describe, expect, it } from 'vitest';
import { Cancellation, createCallContext } from '../../../src/core/context.js';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { MeshError, isMeshError, TransportError, ConfigValidationError, formatConfigIssue } from '../../../src/core/errors.js';

describe('CallContext', () => {
  it('copies with with(), sharing cancellation', () => {
    const ctx = createCallContext({ service: 'orders', deadline: 100 });
    const second = ctx.with({ attempt: 2 });
    expect(second).not.toBe(ctx);
    expect([ctx.attempt, second.attempt, second.deadline, second.service]).toEqual([1, 2, 100, 'orders']);
    ctx.cancellation.cancel(new Error('stop'));
    expect(second.cancellation.cancelled).toBe(true);
    expect(second.signal.aborted).toBe(true);
    expect((second.signal.reason as Error).message).toBe('stop');
  });

  it('calls cancel listeners once, and not after removal', () => {
    const c = new Cancellation();
    const calls: string[] = [];
    const remove = c.onCancel(() => calls.push('removed'));
    c.onCancel((r) => calls.push(String(r)));
    remove();
    c.cancel('why');
    c.cancel('again');
    c.onCancel((r) => calls.push(`late:${String(r)}`));
    expect(calls).toEqual(['why', 'late:why']);
  });

  it('makes a signal only when asked, which aborts on cancel', () => {
    const c = new Cancellation();
    const s = c.signal;
    expect(s.aborted).toBe(false);
    c.cancel('x');
    expect(s.aborted).toBe(true);
  });
});

describe('FakeClock', () => {
  it('fires timers in due order as time advances, and not cleared ones', () => {
    const clock = new FakeClock(10);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    const t = clock.setTimeout(() => fired.push('never'), 5);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 1);
    }, 10);
    clock.clearTimeout(t);
    clock.advance(15);
    expect(fired).toEqual(['a@20', 'c@21']);
    clock.advance(5);
    expect(fired).toEqual(['a@20', 'c@21', 'b']);
    expect(clock.now()).toBe(30);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('MeshError', () => {
  it('is recognised by brand, carries code, flags and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new TransportError('connect-failure', 'down', { cause, endpoint: '127.0.0.1:1' });
    expect(e).toBeInstanceOf(MeshError);
    expect(isMeshError(e)).toBe(true);
    expect([e.code, e.rejected, e.retryable, e.cause, e.endpoint]).toEqual(['MESH_ERR_TRANSPORT', true, true, cause, '127.0.0.1:1']);
    expect(new TransportError('reset', 'x').rejected).toBe(false);
    // A brand from another copy of the package counts too.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('inmesh.error')]: true });
    expect(isMeshError(foreign)).toBe(true);
    expect(isMeshError(new Error('plain'))).toBe(false);
    // Subclasses are told apart by prototype, not by the shared brand.
    expect(e).toBeInstanceOf(TransportError);
    expect(new ConfigValidationError([]) instanceof TransportError).toBe(false);
  });

  it('formats config issues as file:line:col key.path: message', () => {
    expect(formatConfigIssue({ file: 'mesh.yaml', line: 3, column: 5, path: 'services.orders.timeout', message: 'bad' })).toBe('mesh.yaml:3:5 services.orders.timeout: bad');
    const err = new ConfigValidationError([{ path: 'a', message: 'm' }]);
    expect(err.code).toBe('MESH_ERR_CONFIG_INVALID');
    expect(err.message).toContain('a: m');
  });
});

describe('child cancellations', () => {
  it('follow the parent, can be cancelled alone, and stop following once released', () => {
    const parent = new Cancellation();
    const a = new Cancellation(parent);
    const b = new Cancellation(parent);
    const c = new Cancellation(parent);
    a.cancel('per-try timeout');
    expect([parent.cancelled, a.cancelled, b.cancelled]).toEqual([false, true, false]);
    c.release();
    parent.cancel('caller left');
    expect([b.cancelled, b.reason, c.cancelled]).toEqual([true, 'caller left', false]);
    expect(a.reason).toBe('per-try timeout');
  });

  it('scope one attempt through ctx.with, keeping other fields', () => {
    const ctx = createCallContext({ service: 'orders', deadline: 5 });
    const child = new Cancellation(ctx.cancellation);
    const attempt = ctx.with({ attempt: 2, avoid: '127.0.0.1:1', cancellation: child });
    expect([attempt.cancellation, attempt.deadline, attempt.avoid, ctx.avoid]).toEqual([child, 5, '127.0.0.1:1', undefined]);
    expect(attempt.with({ avoid: undefined }).avoid).toBeUndefined();
  });
});
