// The server under test, in its own (pinned) process. Modes:
//   node          node:http hello
//   mesh          the same node:http handler through mesh.serve (identity none, no destinations)
//   fastify       plain Fastify hello (app.listen)
//   fastify-mesh  the same app through mesh.serve
//   fastify-dest  through mesh.serve with a destination configured, so the inbound scope is entered
//   node-mtls     node:https hello asking for and verifying a client certificate (the mTLS baseline)
//   mesh-mtls     the node:http handler through mesh.serve as `orders`, identity from files, strict mTLS
//   mesh-trace0   `mesh` with a tracer provider sampling at ratio 0 (parent-based), trace-provider.js
//   mesh-trace1   the same at ratio 1, a batch processor to an exporter that discards
//   (either with -als: the SDK registered globally, so the AsyncLocalStorage context manager too)
// The mTLS modes take the dir of the run's certificates (pki.js) as the next argument.
// Sends { port } when listening; exits when the parent goes away. The tracing modes answer
// { op: 'spans' } with the spans their exporter has been given.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { distIndexUrl } from './dist-url.js';
import { pkiFiles, SERVER_SERVICE, TRUST_DOMAIN } from './pki.js';
import { makeTracerProvider, traceSpecOf } from './trace-provider.js';

const [mode, pkiDir] = [process.argv[2], process.argv[3]];
const KEEP_ALIVE_MS = 120_000; // longer than any pause between windows, for every server alike
const body = Buffer.from('{"hello":"world"}');
const hello = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
};

const traceSpec = traceSpecOf(mode);
let exporter;

async function meshOf(services = {}, tracerProvider) {
  const { createMesh } = await import(distIndexUrl());
  return createMesh({ service: 'hello', watch: false, shutdown: false, ...(tracerProvider && { tracerProvider }), config: { identity: { mode: 'none' }, services } });
}

async function fastifyApp() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ keepAliveTimeout: KEEP_ALIVE_MS });
  app.get('/', async () => ({ hello: 'world' }));
  return app;
}

async function listen() {
  if (traceSpec) {
    const made = await makeTracerProvider(traceSpec);
    exporter = made.exporter;
    return (await (await meshOf({}, made.provider)).serve(hello, { port: 0, keepAliveTimeout: KEEP_ALIVE_MS })).port;
  }
  switch (mode) {
    case 'node': {
      const server = createServer(hello);
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      return server.address().port;
    }
    case 'node-mtls': {
      const f = pkiFiles(pkiDir);
      const server = createHttpsServer(
        { cert: readFileSync(f.server.certFile), key: readFileSync(f.server.keyFile), ca: readFileSync(f.caFile), requestCert: true, rejectUnauthorized: true },
        hello,
      );
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      return server.address().port;
    }
    case 'mesh-mtls': {
      const f = pkiFiles(pkiDir);
      const { createMesh } = await import(distIndexUrl());
      const mesh = await createMesh({
        service: SERVER_SERVICE,
        watch: false,
        shutdown: false,
        config: { trustDomain: TRUST_DOMAIN, identity: { mode: 'files', ...f.server, caFile: f.caFile }, inbound: { mtls: 'strict' } },
      });
      return (await mesh.serve(hello, { port: 0, keepAliveTimeout: KEEP_ALIVE_MS })).port;
    }
    case 'mesh':
      return (await (await meshOf()).serve(hello, { port: 0, keepAliveTimeout: KEEP_ALIVE_MS })).port;
    case 'fastify': {
      const app = await fastifyApp();
      await app.listen({ port: 0, host: '127.0.0.1' });
      return app.server.address().port;
    }
    case 'fastify-mesh':
    case 'fastify-dest': {
      const services = mode === 'fastify-dest' ? { inventory: { endpoints: ['127.0.0.1:9'], tls: 'none' } } : {};
      const mesh = await meshOf(services);
      return (await mesh.serve(await fastifyApp(), { port: 0, keepAliveTimeout: KEEP_ALIVE_MS })).port;
    }
    default:
      throw new Error(`unknown server mode ${mode}`);
  }
}

// An orderly exit on SIGTERM too, so that a --cpu-prof profile is written.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
if (traceSpec) {
  process.on('message', (m) => {
    if (m?.op === 'spans') process.send({ spans: exporter?.spans ?? null });
  });
}
try {
  process.send({ port: await listen() });
} catch (err) {
  process.send({ error: String(err?.stack ?? err) });
  process.exit(1);
}
