// The `orders` example service: an Express app served through the mesh (`mesh.serve`), whose
// latency can be set per instance. Each instance is its own workload with its own mesh.
// Run alone: `node examples/orders.mjs 8081 5` (port, added latency in ms); SIGTERM drains it.
import express from 'express';
import { createMesh } from '../dist/index.js';

export async function startOrders({ port = 0, delayMs = 0, name = 'orders', shutdown = false } = {}) {
  const mesh = await createMesh({ service: name, watch: false, shutdown, config: { identity: { mode: 'none' } } });
  let served = 0;
  const app = express();
  app.get('/api/orders/:id', (req, res) => {
    served++;
    // req.mesh: what the mesh knows of the call (caller, deadline, a signal that aborts at it).
    const reply = () => res.json({ service: name, id: req.params.id, port: server.port, budgetMs: Math.round(req.mesh.remaining()) });
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });
  const server = await mesh.serve(app, { port });
  return {
    address: `127.0.0.1:${server.port}`,
    kind: 'Express',
    protocols: server.protocols,
    served: () => served,
    // Drains: in-flight requests finish, keep-alive connections are closed politely.
    close: () => mesh.close(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startOrders({ port: Number(process.argv[2] ?? 8081), delayMs: Number(process.argv[3] ?? 0), shutdown: undefined });
  console.log(`orders listening on ${s.address} (${s.protocols.join(', ')})`);
}
