import { Client } from 'undici';
import { createMesh, type Mesh } from '../../../src/index.js';
import { inboundOf } from '../../../src/server/inbound-host.js';
import type { InboundRequest } from '../../../src/server/inbound-exchange.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';
import type { Answer } from './serve-helpers.js';

/** The header a test names its simulated mTLS peer in (the SPIFFE ID the connection would carry). */
export const TEST_PEER = 'x-test-peer';

/**
 * A plaintext mesh for `orders` whose inbound side reads the caller's SPIFFE ID from TEST_PEER,
 * standing in for the peer identity an mTLS connection gives.
 */
export async function accessMesh(config: Record<string, unknown>, log = new RecordingLogger()): Promise<{ mesh: Mesh; log: RecordingLogger }> {
  const mesh = await createMesh({ service: 'orders', watch: false, shutdown: false, logger: log, config: { identity: { mode: 'none' }, ...config } });
  const env = inboundOf(mesh).env as { peerOf: (req: InboundRequest) => string | undefined };
  env.peerOf = (req) => {
    const peer = req.headers[TEST_PEER];
    return typeof peer === 'string' ? peer : undefined;
  };
  return { mesh, log };
}

/** A request with its target sent exactly as given (no URL normalisation of `..`). */
export async function rawRequest(origin: string, path: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const client = new Client(origin);
  try {
    const res = await client.request({ path, method: (o.method ?? 'GET') as 'GET', headers: o.headers });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  } finally {
    await client.close();
  }
}
