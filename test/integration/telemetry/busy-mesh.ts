import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh, type Mesh, type MeshServer } from '../../../src/index.js';
import { startHttpServer, waitFor, type TestServer } from '../../helpers/http-server.js';
import { RecordingLogger } from '../../helpers/recording-logger.js';

export interface BusyMesh {
  readonly mesh: Mesh;
  readonly served: MeshServer;
  /** The endpoint that answers 503: ejected, its breaker open. */
  readonly bad: TestServer;
  /** Sends another round of the same traffic (bounded), e.g. while Prometheus scrapes. */
  traffic(): Promise<void>;
  close(): Promise<void>;
}

const drain = async (p: Promise<{ body: { dump(): Promise<void> } }>) => {
  try {
    await (await p).body.dump();
  } catch {
    // refusals (circuit open, no endpoints) are part of the traffic
  }
};

/**
 * A mesh `checkout` with an admin listener that has done a bit of everything the metrics count:
 * calls that succeed, retries (503s sent on to the good endpoint), a retry refused by a spent
 * budget, an ejection and an open breaker (the 503 endpoint), an inbound denial (a deny rule),
 * and a config reload; served traffic comes from the mesh calling its own served app.
 */
export async function busyMesh(): Promise<BusyMesh> {
  const answer = (status: number) => (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
  };
  const good = await startHttpServer(answer(200));
  const bad = await startHttpServer(answer(503));
  const services = {
    orders: {
      tls: 'none',
      endpoints: [good.address, bad.address],
      loadBalancer: 'round-robin',
      retries: { attempts: 3, on: [503], budget: 1, minRetriesPerSecond: 100 },
      outlierDetection: { consecutive5xx: 3, baseEjectionTime: '60s', maxEjectionPercent: 50 },
      circuitBreaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeout: '60s' },
    },
    // Every retry refused: inmesh_retry_budget_exhausted_total.
    stingy: { tls: 'none', endpoints: [bad.address], retries: { attempts: 3, on: [503], budget: 0, minRetriesPerSecond: 0 } },
  };
  const config = {
    identity: { mode: 'none' },
    admin: { port: 0, host: '127.0.0.1' },
    services,
    authorization: { checkout: [{ action: 'deny', paths: ['/admin/*'] }, { paths: ['/*'] }] },
  };
  const mesh = await createMesh({ service: 'checkout', watch: false, shutdown: false, logger: new RecordingLogger(), config });
  const served = await mesh.serve((req, res) => {
    req.resume();
    res.end('served');
  }, { port: 0 });
  // The reload adds the mesh's own served app as a destination.
  await mesh.reload({ ...config, services: { ...services, self: { tls: 'none', endpoints: [`127.0.0.1:${served.port}`] } } });
  await mesh.ready();

  const traffic = async () => {
    for (let i = 0; i < 10; i++) await drain(mesh.request('http://orders/api/orders'));
    await drain(mesh.request('http://stingy/api/stock'));
    for (let i = 0; i < 5; i++) await drain(mesh.request(`http://self/api/items/${i}`));
    await drain(mesh.request('http://self/admin/users'));
  };
  await traffic();
  const text = async () => (await mesh.metrics.metrics()) as string;
  await waitFor(async () => (await text()).includes('inmesh_endpoint_ejections_total{'), 5000, 'the 503 endpoint to be ejected');
  return {
    mesh,
    served,
    bad,
    traffic,
    async close() {
      await mesh.close();
      await Promise.all([good.close(), bad.close()]);
    },
  };
}
