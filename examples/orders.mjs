// The `orders` example service, served through the mesh (`mesh.serve`), whose latency can be set
// per instance. Each instance is its own workload with its own mesh. It is an Express app when
// the application has express installed, else the same route as a plain node:http listener
// (mesh.serve takes either), so `npx inmesh demo` runs with nothing else installed.
// Run alone: `node examples/orders.mjs 8081 5` (port, added latency in ms); SIGTERM drains it.
import { createMesh } from '../dist/index.js';

/** express, if the application has it; undefined if it is not installed. */
async function optionalExpress() {
  try {
    return (await import('express')).default;
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/**
 * `identityDir`: the dev CA's directory (default `.inmesh` here); `callers`: the services allowed to
 * GET orders (by SPIFFE ID over mTLS), or undefined for anyone; `config`: more mesh.yaml keys for
 * this workload (`control` and `identity` to take part in a control daemon's mesh); `logger`: the mesh's.
 */
export async function startOrders({ port = 0, delayMs = 0, name = 'orders', shutdown = false, identityDir, callers, config: more, logger } = {}) {
  const config = {
    trustDomain: 'demo.local',
    ...(identityDir && { identity: { mode: 'dev', dir: identityDir } }),
    ...(callers && { authorization: { [name]: [{ from: callers.map((c) => `spiffe://demo.local/svc/${c}`), methods: ['GET'], paths: ['/api/orders/*'] }] } }),
    ...more,
  };
  const mesh = await createMesh({ service: name, watch: false, shutdown, config, ...(logger && { logger }) });
  let served = 0;
  // req.mesh: what the mesh knows of the call (caller, deadline, a signal that aborts at it).
  // req.mesh.peer: the caller's SPIFFE ID, proven by its certificate (mTLS).
  const order = (id, req) => ({ service: name, id, port: server.port, caller: req.mesh.peer ?? null, budgetMs: Math.round(req.mesh.remaining()) });
  const later = (reply) => (delayMs > 0 ? setTimeout(reply, delayMs) : reply());
  const express = await optionalExpress();
  let app;
  if (express) {
    app = express();
    app.get('/api/orders/:id', (req, res) => {
      served++;
      later(() => res.json(order(req.params.id, req)));
    });
  } else {
    app = (req, res) => {
      const id = req.method === 'GET' ? /^\/api\/orders\/([^/?]+)/.exec(req.url)?.[1] : undefined;
      if (id === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      served++;
      later(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order(id, req))));
    };
  }
  const server = await mesh.serve(app, { port });
  return {
    address: `127.0.0.1:${server.port}`,
    kind: express ? 'Express' : 'node:http',
    protocols: server.protocols,
    served: () => served,
    // Drains: in-flight requests finish, keep-alive connections are closed politely.
    close: () => mesh.close(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startOrders({ port: Number(process.argv[2] ?? 8081), delayMs: Number(process.argv[3] ?? 0), shutdown: undefined });
  console.log(`orders listening on ${s.address} as ${s.kind} (${s.protocols.join(', ')})`);
}
