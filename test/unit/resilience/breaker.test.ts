import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeshError, createCallContext, isMeshError } from '../../../src/core/index.js';
import type { CircuitBreakerConfig } from '../../../src/config/types.js';
import { breaker, type BreakerState } from '../../../src/resilience/breaker.js';
import { flush, mockService } from '../../helpers/mock-service.js';

interface Res {
  status: number;
}

const cfg: CircuitBreakerConfig = { errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeout: 1000, rollingCountTimeout: 10_000 };
const ctx = () => createCallContext({ service: 'orders' });

function setup() {
  const states: BreakerState[] = [];
  const [svc, handle] = mockService<string, Res>();
  const layer = breaker<string, Res>(cfg, { isFailure: (r) => r.status >= 500, onStateChange: (s) => states.push(s), endpoint: '10.0.0.1:80' });
  return { states, handle, call: layer(svc), b: layer.breaker };
}

/** Sends one call and answers it with `status`. */
async function answer(call: (req: string, c: ReturnType<typeof ctx>) => Promise<Res>, handle: ReturnType<typeof setup>['handle'], status: number) {
  const p = call('req', ctx());
  (await handle.next()).respond({ status });
  return p;
}

describe('breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers(); // opossum reads the global timers and Date.now
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts 5xx responses as failures but still returns them, then opens', async () => {
    const { states, handle, call, b } = setup();
    expect(await answer(call, handle, 200)).toEqual({ status: 200 });
    expect(await answer(call, handle, 503)).toEqual({ status: 503 });
    expect(await answer(call, handle, 500)).toEqual({ status: 500 });
    expect(b.state).toBe('closed');
    expect(await answer(call, handle, 502)).toEqual({ status: 502 }); // 3 of 4 failed > 50%
    expect([b.state, b.status()]).toEqual(['open', 'busy']);
    expect(states).toEqual(['open']);
    b.shutdown();
  });

  it('rejects with CircuitOpenError without calling the service while open, then probes and closes', async () => {
    const { states, handle, call, b } = setup();
    for (let i = 0; i < 4; i++) await answer(call, handle, 500);
    expect(b.state).toBe('open');

    const err = (await call('req', ctx()).catch((e: unknown) => e)) as MeshError;
    expect(isMeshError(err)).toBe(true);
    expect([err.name, err.code, err.rejected, err.retryable, err.endpoint, err.service]).toEqual([
      'CircuitOpenError',
      'MESH_ERR_CIRCUIT_OPEN',
      true,
      true,
      '10.0.0.1:80',
      'orders',
    ]);
    expect(handle.calls.length).toBe(4);

    vi.advanceTimersByTime(1000);
    expect([b.state, b.status()]).toEqual(['half-open', 'open']);
    const probe = call('probe', ctx());
    const probeCall = await handle.next();
    expect(b.status()).toBe('busy'); // one probe at a time
    const other = (await call('other', ctx()).catch((e: unknown) => e)) as MeshError;
    expect(other.code).toBe('MESH_ERR_CIRCUIT_OPEN');
    expect(handle.calls.length).toBe(5);

    probeCall.respond({ status: 200 });
    expect(await probe).toEqual({ status: 200 });
    expect([b.state, b.status()]).toEqual(['closed', 'open']);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    b.shutdown();
  });

  it('opens again when the probe fails', async () => {
    const { handle, call, b } = setup();
    for (let i = 0; i < 4; i++) await answer(call, handle, 500);
    vi.advanceTimersByTime(1000);
    expect(await answer(call, handle, 503)).toEqual({ status: 503 });
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(999);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('half-open');
    b.shutdown();
  });

  it('counts rejections as failures and passes them through unchanged', async () => {
    const { handle, call, b } = setup();
    const boom = new Error('reset');
    for (let i = 0; i < 4; i++) {
      const p = call('req', ctx());
      (await handle.next()).fail(boom);
      expect(await p.catch((e: unknown) => e)).toBe(boom);
    }
    expect(b.state).toBe('open');
    b.shutdown();
  });

  it("does not count the caller's cancellation against the endpoint", async () => {
    const { handle, call, b } = setup();
    for (let i = 0; i < 6; i++) {
      const c = ctx();
      const p = call('req', c);
      await handle.next();
      c.cancellation.cancel(new MeshError('MESH_ERR_CANCELLED', 'caller gave up'));
      await p.catch(() => {});
    }
    await flush();
    expect(b.state).toBe('closed');
    b.shutdown();
  });

  it('checks its options', () => {
    expect(() => breaker({ ...cfg, errorThresholdPercentage: 150 }, { isFailure: () => false })).toThrow(RangeError);
    expect(() => breaker({ ...cfg, volumeThreshold: -1 }, { isFailure: () => false })).toThrow(RangeError);
    expect(() => breaker({ ...cfg, resetTimeout: 0 }, { isFailure: () => false })).toThrow(RangeError);
  });
});
