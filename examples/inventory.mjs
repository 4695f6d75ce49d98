// The `inventory` example service: answers stock levels, and fails a given share of calls with 503.
// Run alone: `node examples/inventory.mjs 8091 0.05` (port, failure ratio).
import { createServer } from 'node:http';
import { once } from 'node:events';

export async function startInventory({ port = 0, failureRatio = 0 } = {}) {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    // Deterministic failures (every k-th call) so that the demo's table is the same each run.
    const every = failureRatio > 0 ? Math.round(1 / failureRatio) : 0;
    if (every && n % every === 0) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('temporarily out of stock service\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sku: (req.url ?? '').split('/').pop(), stock: 42 }));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startInventory({ port: Number(process.argv[2] ?? 8091), failureRatio: Number(process.argv[3] ?? 0) });
  console.log(`inventory listening on ${s.address}`);
}
