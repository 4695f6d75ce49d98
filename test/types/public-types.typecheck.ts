// A type test: compiled by `npm run typecheck`, never run. Each line is what a user writes with the
// default lib (no DOM): the global fetch types, as @types/node declares them.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { createMesh, type MeshFetchInit, type MeshRequest, type MeshStats, type RouteStats, type ServedRouteStats, type ServiceStats } from '../../src/index.js';

export async function fetchUsesTheGlobalTypes(): Promise<void> {
  const mesh = await createMesh({ service: 'types' });
  const res: Response = await mesh.fetch('http://orders/api/orders/1');
  const init: RequestInit = { method: 'POST', body: JSON.stringify({ id: 1 }), headers: { 'content-type': 'application/json' } };
  const again: Response = await mesh.fetch(new URL('http://orders/api/orders'), init);
  const withOptions: MeshFetchInit = { ...init, timeout: 500, signal: AbortSignal.timeout(1000) };
  await mesh.fetch('http://orders/', withOptions);
  await mesh.fetch(new Request('http://orders/', init));
  // What mesh.fetch returns goes wherever a global Response is expected.
  const take = (r: Response): Promise<string> => r.text();
  await take(res);
  await take(again);
}

export async function meshOnlyOnServedRequests(): Promise<void> {
  const mesh = await createMesh({ service: 'types' });
  // A request listener given to mesh.serve sees `req.mesh`.
  await mesh.serve((req, res) => res.end(String(req.mesh.remaining())));
  const listener = (req: MeshRequest): number => req.mesh.remaining();
  void listener;
  // The verified JWT claims, when the request carried a token (mesh.yaml `authentication`).
  const roleOf = (req: MeshRequest): unknown => req.mesh.claims?.role;
  void roleOf;
  // So do Express handlers (the mesh serves the app or its middleware runs first).
  const app = express();
  app.get('/', (req, res) => void res.json({ left: req.mesh.remaining() }));
  await mesh.serve(app);
}

export function notOnEveryIncomingMessage(res: IncomingMessage): void {
  // @ts-expect-error: a response of node:http's client, or a request no mesh served, has no `mesh`.
  void res.mesh;
}

export async function inboundDeadlineIsACallDeadline(): Promise<void> {
  const mesh = await createMesh({ service: 'types' });
  await mesh.serve(async (req, res) => {
    // Same scale (epoch milliseconds) as the `deadline` call option.
    const deadline: number = req.mesh.deadlineAt;
    const r = await mesh.request('http://orders/', { deadline });
    res.end(await r.body.text());
  });
}

export async function statsOverTheWindow(): Promise<void> {
  const mesh = await createMesh({ service: 'types' });
  const stats: MeshStats = mesh.stats();
  const seconds: number = stats.windowSeconds;
  const orders: ServiceStats | undefined = stats.outbound.find((s) => s.service === 'orders');
  const routes: readonly RouteStats[] = orders?.routes ?? [];
  const rate: number | undefined = routes[0]?.successRate;
  const p95: number | undefined = orders?.p95;
  // Endpoints keep their attempts since start, with the p90 they always had.
  const attempts: number | undefined = orders?.endpoints[0]?.p90;
  const served: readonly ServedRouteStats[] = stats.inbound;
  const rps: number | undefined = served[0]?.rps;
  void [seconds, rate, p95, attempts, rps];
  // @ts-expect-error: stats() is no longer an array of destinations.
  void stats.find;
}
