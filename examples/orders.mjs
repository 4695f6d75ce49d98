// The `orders` example service: a JSON API whose latency can be set per instance.
// Run alone: `node examples/orders.mjs 8081 5` (port, added latency in ms).
import { createServer } from 'node:http';
import { once } from 'node:events';

export async function startOrders({ port = 0, delayMs = 0, name = 'orders' } = {}) {
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    const reply = () => {
      const id = (req.url ?? '').split('/').pop();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: name, id, port: server.address().port }));
    };
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${server.address().port}`,
    served: () => served,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startOrders({ port: Number(process.argv[2] ?? 8081), delayMs: Number(process.argv[3] ?? 0) });
  console.log(`orders listening on ${s.address}`);
}
