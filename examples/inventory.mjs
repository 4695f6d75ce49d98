// The `inventory` example service, served through the mesh (`mesh.serve`), which fails a given
// share of calls with 503. Each instance is its own workload with its own mesh. It is a Fastify
// app when the application has fastify installed, else the same route as a plain node:http
// listener (mesh.serve takes either), so `npx inmesh demo` runs with nothing else installed.
// Run alone: `node examples/inventory.mjs 8091 0.05` (port, failure ratio); SIGTERM drains it.
import { createMesh } from '../dist/index.js';

/** fastify, if the application has it; undefined if it is not installed. */
async function optionalFastify() {
  try {
    return (await import('fastify')).default;
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** `identityDir`, `callers`, `config` and `logger` as in orders.mjs. */
export async function startInventory({ port = 0, failureRatio = 0, shutdown = false, identityDir, callers, config: more, logger } = {}) {
  const config = {
    trustDomain: 'demo.local',
    ...(identityDir && { identity: { mode: 'dev', dir: identityDir } }),
    ...(callers && { authorization: { inventory: [{ from: callers.map((c) => `spiffe://demo.local/svc/${c}`), methods: ['GET'], paths: ['/api/stock/*'] }] } }),
    ...more,
  };
  const mesh = await createMesh({ service: 'inventory', watch: false, shutdown, config, ...(logger && { logger }) });
  let n = 0;
  // Deterministic failures (every k-th call) so that the demo's table is the same each run.
  const every = failureRatio > 0 ? Math.round(1 / failureRatio) : 0;
  const fails = () => {
    n++;
    return every > 0 && n % every === 0;
  };
  const stock = (sku, meshOfRequest) => ({ sku, stock: 42, budgetMs: Math.round(meshOfRequest.remaining()) });
  const unavailable = 'temporarily out of stock service\n';
  const Fastify = await optionalFastify();
  let app;
  if (Fastify) {
    app = Fastify();
    app.get('/api/stock/:sku', async (request, reply) => {
      if (fails()) return reply.code(503).type('text/plain').send(unavailable);
      return stock(request.params.sku, request.mesh);
    });
  } else {
    app = (req, res) => {
      const sku = req.method === 'GET' ? /^\/api\/stock\/([^/?]+)/.exec(req.url)?.[1] : undefined;
      if (sku === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      if (fails()) return void res.writeHead(503, { 'content-type': 'text/plain' }).end(unavailable);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stock(sku, req.mesh)));
    };
  }
  const server = await mesh.serve(app, { port });
  return {
    address: `127.0.0.1:${server.port}`,
    kind: Fastify ? 'Fastify' : 'node:http',
    protocols: server.protocols,
    served: () => n,
    close: async () => {
      await mesh.close();
      await app.close?.();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startInventory({ port: Number(process.argv[2] ?? 8091), failureRatio: Number(process.argv[3] ?? 0), shutdown: undefined });
  console.log(`inventory listening on ${s.address} as ${s.kind} (${s.protocols.join(', ')})`);
}
