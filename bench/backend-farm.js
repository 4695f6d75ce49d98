// Backends for resilience benchmarks, in their own process: one HTTP server per spec on
// 127.0.0.1. A spec is { delayMs, failRatio, slowRatio, slowMs, serial }. With `serial`, a
// server works on one request at a time (a FIFO queue, as a CPU-bound Node handler does), so
// its latency grows with the calls it holds; without, requests only wait (I/O-bound). Prints the ports as JSON;
// the parent may send { kill: i } to close server i (connections reset, new ones refused).
import { createServer } from 'node:http';

const specs = JSON.parse(process.argv[2] ?? '[{}]');
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const servers = specs.map((spec) => {
  const queue = [];
  let busy = false;
  const work = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    const { delay, reply } = queue.shift();
    setTimeout(() => {
      busy = false;
      reply();
      work();
    }, delay);
  };
  const server = createServer((req, res) => {
    req.resume();
    const reply = () => {
      if (spec.failRatio && random() < spec.failRatio) res.writeHead(503).end('failing\n');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    };
    const delay = spec.slowRatio && random() < spec.slowRatio ? spec.slowMs : spec.delayMs ?? 0;
    if (spec.serial) {
      queue.push({ delay, reply });
      work();
    } else if (delay > 0) setTimeout(reply, delay);
    else reply();
  });
  server.keepAliveTimeout = 60_000;
  return server;
});
await Promise.all(servers.map((s) => new Promise((r) => s.listen(0, '127.0.0.1', r))));
process.stdout.write(`${JSON.stringify(servers.map((s) => s.address().port))}\n`);
process.on('message', (m) => {
  if (typeof m?.kill === 'number') {
    const s = servers[m.kill];
    s.close();
    s.closeAllConnections();
  }
});
process.on('disconnect', () => process.exit(0));
