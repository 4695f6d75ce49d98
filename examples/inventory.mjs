// The `inventory` example service: a Fastify app served through the mesh (`mesh.serve`), which
// fails a given share of calls with 503. Each instance is its own workload with its own mesh.
// Run alone: `node examples/inventory.mjs 8091 0.05` (port, failure ratio); SIGTERM drains it.
import Fastify from 'fastify';
import { createMesh } from '../dist/index.js';

export async function startInventory({ port = 0, failureRatio = 0, shutdown = false } = {}) {
  const mesh = await createMesh({ service: 'inventory', watch: false, shutdown, config: { identity: { mode: 'none' } } });
  let n = 0;
  const app = Fastify();
  app.get('/api/stock/:sku', async (request, reply) => {
    n++;
    // Deterministic failures (every k-th call) so that the demo's table is the same each run.
    const every = failureRatio > 0 ? Math.round(1 / failureRatio) : 0;
    if (every && n % every === 0) return reply.code(503).type('text/plain').send('temporarily out of stock service\n');
    return { sku: request.params.sku, stock: 42, budgetMs: Math.round(request.mesh.remaining()) };
  });
  const server = await mesh.serve(app, { port });
  return {
    address: `127.0.0.1:${server.port}`,
    kind: 'Fastify',
    protocols: server.protocols,
    served: () => n,
    close: async () => {
      await mesh.close();
      await app.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startInventory({ port: Number(process.argv[2] ?? 8091), failureRatio: Number(process.argv[3] ?? 0), shutdown: undefined });
  console.log(`inventory listening on ${s.address} (${s.protocols.join(', ')})`);
}
