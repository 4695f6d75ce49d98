import { describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

const open = closeAfterEach();

describe('a call refused before any I/O', () => {
  it('settles on a later turn of the event loop, so a caller looping on failures does not starve I/O', async () => {
    const mesh = await createMesh({
      service: 'checkout',
      logger: new RecordingLogger(),
      watch: false,
      shutdown: false,
      config: { identity: { mode: 'none' }, outbound: 'deny', services: {} },
    });
    open.add(mesh);
    let ticked = false;
    setImmediate(() => {
      ticked = true;
    });
    let failures = 0;
    let code: unknown;
    // Bounded: without the deferral all 20,000 refusals run before the immediate above.
    while (!ticked && failures < 20_000) {
      try {
        await mesh.request('http://elsewhere/');
      } catch (err) {
        code = (err as { code?: unknown }).code;
        failures++;
      }
    }
    expect(code).toBe('MESH_ERR_UNKNOWN_SERVICE');
    expect(ticked).toBe(true);
    expect(failures).toBeLessThan(5);
  });
});
