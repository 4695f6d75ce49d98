import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const open = closeAfterEach();

/** Loops on `call` until a setImmediate set before the loop has run (bounded): how many calls failed first, and with what. */
async function failuresBeforeATurn(call: () => Promise<unknown>): Promise<{ failures: number; ticked: boolean; code: unknown }> {
  let ticked = false;
  setImmediate(() => {
    ticked = true;
  });
  let failures = 0;
  let code: unknown;
  // Bounded: without the deferral all 20,000 refusals run before the immediate above.
  while (!ticked && failures < 20_000) {
    try {
      await call();
    } catch (err) {
      code = (err as { code?: unknown; cause?: { code?: unknown } }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
      failures++;
    }
  }
  return { failures, ticked, code };
}

async function meshOf(config: Record<string, unknown>): Promise<Mesh> {
  return open.add(await createMesh({ service: 'checkout', logger: new RecordingLogger(), watch: false, shutdown: false, config: { identity: { mode: 'none' }, ...config } }));
}

describe('a call refused before any I/O', () => {
  it('settles on a later turn of the event loop, so a caller looping on failures does not starve I/O', async () => {
    const mesh = await meshOf({ outbound: 'deny', services: {} });
    const r = await failuresBeforeATurn(() => mesh.request('http://elsewhere/'));
    expect(r).toMatchObject({ code: 'MESH_ERR_UNKNOWN_SERVICE', ticked: true });
    expect(r.failures).toBeLessThan(5);
  });

  it('does so for a service with no endpoints, and through the dispatcher too', async () => {
    const mesh = await meshOf({ services: { orders: { endpoints: [], tls: 'none' } } });
    const direct = await failuresBeforeATurn(() => mesh.request('http://orders/'));
    expect(direct).toMatchObject({ code: 'MESH_ERR_NO_ENDPOINTS', ticked: true });
    expect(direct.failures).toBeLessThan(5);
    const viaDispatcher = await failuresBeforeATurn(() => request('http://orders/', { dispatcher: mesh.dispatcher }));
    expect(viaDispatcher).toMatchObject({ code: 'MESH_ERR_NO_ENDPOINTS', ticked: true });
    expect(viaDispatcher.failures).toBeLessThan(5);
  });
});
