import { describe, expect, it } from 'vitest';
import { parseMeshConfig } from '../../../src/config/load.js';
import { DEFAULT_INBOUND } from '../../../src/config/defaults.js';
import { ConfigValidationError } from '../../../src/core/index.js';
import { clientTimeouts, connectionsCheckingInterval } from '../../../src/server/client-timeouts.js';

describe('inbound.headersTimeout, requestTimeout, keepAliveTimeout', () => {
  it('are read from mesh.yaml as durations, with defaults that cut a trickled head in 10 s', () => {
    expect(parseMeshConfig('inbound:\n  headersTimeout: 2s\n  requestTimeout: 30s\n  keepAliveTimeout: 750ms\n').config.inbound).toMatchObject({
      headersTimeout: 2000,
      requestTimeout: 30_000,
      keepAliveTimeout: 750,
    });
    expect(parseMeshConfig('mesh: m\n').config.inbound).toMatchObject({ headersTimeout: 10_000, requestTimeout: 300_000, keepAliveTimeout: 5000 });
  });

  it('refuse a header timeout above the request timeout, naming the key; a short requestTimeout alone lowers the default', () => {
    let err: unknown;
    try {
      parseMeshConfig('inbound:\n  headersTimeout: 20s\n  requestTimeout: 5s\n', { file: 'mesh.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as ConfigValidationError).issues[0]).toMatchObject({ path: 'inbound.headersTimeout', message: expect.stringMatching(/above requestTimeout/) });
    expect(parseMeshConfig('inbound:\n  requestTimeout: 3s\n').config.inbound.headersTimeout).toBe(3000);
  });

  it('mesh.serve options override them and are checked', () => {
    expect(clientTimeouts(DEFAULT_INBOUND, { headersTimeout: 1000, keepAliveTimeout: 200 })).toEqual({ headersTimeout: 1000, requestTimeout: 300_000, keepAliveTimeout: 200 });
    expect(clientTimeouts(DEFAULT_INBOUND, { requestTimeout: 4000 }).headersTimeout).toBe(4000);
    expect(() => clientTimeouts(DEFAULT_INBOUND, { headersTimeout: 5000, requestTimeout: 4000 })).toThrow(/headersTimeout 5000 ms is above requestTimeout 4000 ms/);
    expect(() => clientTimeouts(DEFAULT_INBOUND, { keepAliveTimeout: 0 })).toThrow(/keepAliveTimeout must be above 0 ms/);
    expect(() => clientTimeouts(DEFAULT_INBOUND, { requestTimeout: 2 ** 31 })).toThrow(/requestTimeout must be above 0 ms and at most 2147483647 ms/);
  });

  it("checks connections often enough that the timeouts hold (Node's default: every 30 s)", () => {
    expect(connectionsCheckingInterval({ headersTimeout: 10_000, requestTimeout: 300_000, keepAliveTimeout: 5000 })).toBe(2500);
    expect(connectionsCheckingInterval({ headersTimeout: 400, requestTimeout: 300_000, keepAliveTimeout: 5000 })).toBe(250);
    expect(connectionsCheckingInterval({ headersTimeout: 60_000, requestTimeout: 300_000, keepAliveTimeout: 5000 })).toBe(5000);
  });
});
