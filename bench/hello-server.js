// A loopback HTTP server for benchmarks, run in its own process so that the client under
// test does not share its event loop. Prints its port on stdout.
import { createServer } from 'node:http';

const body = Buffer.from('{"hello":"world"}');
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
