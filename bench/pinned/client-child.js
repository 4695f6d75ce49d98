// The client under test, in its own (pinned) process: raw undici Pool.request or mesh.request
// to one server; `undici-mtls` and `mesh-mtls` do the same over mTLS with the run's certificates
// (the dir from pki.js as the next argument), the mesh one as the workload `checkout`;
// `mesh-trace0` / `mesh-trace1` (and `-als`) are `mesh` with a tracer provider sampling at ratio
// 0 / 1 (trace-provider.js), whose answers also carry the spans exported so far. Answers { op: 'run', concurrency, count, maxMs } with the load's figures and
// its own CPU (process.cpuUsage) over exactly the load loop.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { distIndexUrl } from './dist-url.js';
import { closedLoop } from './load-loop.js';
import { CLIENT_SERVICE, pkiFiles, SERVER_SERVICE, TRUST_DOMAIN } from './pki.js';
import { makeTracerProvider, traceSpecOf } from './trace-provider.js';

const [kind, port, pkiDir] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const CONNECTIONS = 64;
const traceSpec = traceSpecOf(kind);
let exporter;

async function makeCall() {
  if (kind === 'undici') {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, keepAliveTimeout: 120_000 });
    return async () => {
      const r = await pool.request({ path: '/', method: 'GET' });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
  }
  if (kind === 'undici-mtls') {
    const f = pkiFiles(pkiDir);
    // The chain and the address are verified (the server's certificate names IP:127.0.0.1), as a
    // raw client outside the mesh would; the server's SPIFFE ID is not.
    const connect = { ca: readFileSync(f.caFile), cert: readFileSync(f.client.certFile), key: readFileSync(f.client.keyFile), rejectUnauthorized: true };
    const pool = new Pool(`https://127.0.0.1:${port}`, { connections: CONNECTIONS, keepAliveTimeout: 120_000, connect });
    return async () => {
      const r = await pool.request({ path: '/', method: 'GET' });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
  }
  if (kind === 'mesh-mtls') {
    const f = pkiFiles(pkiDir);
    const { createMesh } = await import(distIndexUrl());
    const mesh = await createMesh({
      service: CLIENT_SERVICE,
      watch: false,
      shutdown: false,
      config: {
        trustDomain: TRUST_DOMAIN,
        identity: { mode: 'files', ...f.client, caFile: f.caFile },
        services: { [SERVER_SERVICE]: { endpoints: [`127.0.0.1:${port}`], connections: CONNECTIONS } },
      },
    });
    await mesh.ready();
    const url = `http://${SERVER_SERVICE}/`;
    return async () => {
      const r = await mesh.request(url);
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
  }
  if (kind === 'mesh' || traceSpec) {
    const { createMesh } = await import(distIndexUrl());
    let tracerProvider;
    if (traceSpec) ({ provider: tracerProvider, exporter } = await makeTracerProvider(traceSpec));
    const mesh = await createMesh({
      service: 'bench-client',
      ...(tracerProvider && { tracerProvider }),
      watch: false,
      shutdown: false,
      config: { identity: { mode: 'none' }, services: { hello: { endpoints: [`127.0.0.1:${port}`], tls: 'none', connections: CONNECTIONS } } },
    });
    await mesh.ready();
    return async () => {
      const r = await mesh.request('http://hello/');
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    };
  }
  throw new Error(`unknown client kind ${kind}`);
}

// An orderly exit on SIGTERM too, so that a --cpu-prof profile is written.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
try {
  const call = await makeCall();
  process.on('message', async (m) => {
    try {
      const c0 = process.cpuUsage();
      const res = await closedLoop(call, m);
      const c = process.cpuUsage(c0);
      process.send({ ...res, clientCpuUs: c.user + c.system, ...(exporter && { spansExported: exporter.spans }) });
    } catch (err) {
      process.send({ error: String(err?.stack ?? err) });
    }
  });
  process.send({ ready: true });
} catch (err) {
  process.send({ error: String(err?.stack ?? err) });
  process.exit(1);
}
