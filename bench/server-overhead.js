// Server overhead: a Fastify hello route, plain (app.listen) and served through mesh.serve,
// each in its own process, loaded by autocannon from this process at concurrency 64, in
// alternating rounds of the same run. Then SIGTERM under load: a mesh-served process is
// signalled while a client keeps sending; every request it accepted must have been answered.
//
// Usage: npm run bench:server [-- --seconds 5 --rounds 3 --connections 64]
// (`node bench/server-overhead.js --child <mode>` is the server side; modes below.)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};

if (process.argv.includes('--child')) await child(arg('--child'));
else await parent();

/** The server side, one process per mode; prints its port on stdout. */
async function child(mode) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  let handled = 0;
  app.get('/', async () => {
    handled++;
    return { hello: 'world' };
  });
  // CPU time per request is steadier than requests/s on a shared machine: report both.
  process.on('message', (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ cpuUs: user + system, handled });
    }
  });
  if (mode === 'plain' || mode === 'plain+als') {
    // plain+als: what any AsyncLocalStorage in the process costs on Node 20 (promise hooks), for reference.
    if (mode === 'plain+als') new AsyncLocalStorage().run({}, () => {});
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
    process.stdout.write(`${app.server.address().port}\n`);
    return;
  }
  const { createMesh } = await import('../dist/index.js');
  // mesh+dest: a workload that also calls a service, so the inbound scope is entered per request.
  const services = mode === 'mesh+dest' ? { inventory: { endpoints: ['127.0.0.1:9'], tls: 'none' } } : {};
  const mesh = await createMesh({ service: 'hello', watch: false, config: { identity: { mode: 'none' }, inbound: { drainTimeout: '10s' }, services } });
  if (mode === 'sigterm') {
    // Written synchronously as the process exits (the mesh calls process.exit after draining).
    process.on('exit', (code) => writeSync(1, `${JSON.stringify({ handled, code })}\n`));
  }
  const server = await mesh.serve(app, { port: 0 });
  process.stdout.write(`${server.port}\n`);
}

async function startChild(mode) {
  const proc = fork(new URL(import.meta.url), ['--child', mode], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = [];
  let buffer = '';
  proc.stdout.on('data', (d) => {
    buffer += d;
    for (let i; (i = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(i + 1)) lines.push(buffer.slice(0, i));
  });
  const until = Date.now() + 15_000;
  while (lines.length === 0) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`bench child ${mode} did not start`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { proc, port: Number(lines[0]), lines };
}

async function parent() {
  const { default: autocannon } = await import('autocannon');
  const seconds = Number(arg('--seconds', 5));
  const rounds = Number(arg('--rounds', 3));
  const connections = Number(arg('--connections', 64));
  const modes = ['plain', 'mesh', 'mesh+dest', 'plain+als'];
  const children = {};
  for (const m of modes) children[m] = await startChild(m);
  const cpu = async (m) => {
    const { proc } = children[m];
    proc.send('cpu');
    const [msg] = await once(proc, 'message');
    return msg;
  };
  const run = (port, duration) => autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration });

  for (const m of modes) await run(children[m].port, 1); // warm-up: JIT and connections
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  const cpuPerRequest = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so that neither side always runs first (machine noise hits both).
    for (const m of r % 2 ? [...modes].reverse() : modes) {
      const before = await cpu(m);
      const res = await run(children[m].port, seconds);
      const after = await cpu(m);
      if (res.errors || res.non2xx) throw new Error(`${m}: ${res.errors} errors, ${res.non2xx} non-2xx`);
      results[m].push(res.requests.average);
      cpuPerRequest[m].push((after.cpuUs - before.cpuUs) / (after.handled - before.handled));
    }
  }
  for (const m of modes) children[m].proc.kill();

  const best = (m) => Math.max(...results[m]);
  const median = (m) => [...results[m]].sort((a, b) => a - b)[Math.floor(results[m].length / 2)];
  console.log(`server overhead: Fastify hello route, autocannon -c ${connections}, ${rounds} rounds of ${seconds} s each, alternating`);
  console.log(`${'server'.padEnd(30)} ${'best req/s'.padStart(11)} ${'median'.padStart(9)}   rounds`);
  const label = {
    plain: 'plain Fastify (app.listen)',
    mesh: 'Fastify via mesh.serve',
    'mesh+dest': 'mesh.serve, with a destination',
    'plain+als': 'plain Fastify + an ALS store',
  };
  const minCpu = (m) => Math.min(...cpuPerRequest[m]);
  for (const m of modes) {
    console.log(
      `${label[m].padEnd(30)} ${best(m).toFixed(0).padStart(11)} ${median(m).toFixed(0).padStart(9)}   ${results[m].map((x) => x.toFixed(0)).join(' ')}   server CPU µs/request: ${cpuPerRequest[m].map((x) => x.toFixed(1)).join(' ')}`,
    );
  }
  const ratio = best('mesh') / best('plain');
  console.log(`mesh.serve / plain, requests/s (best of rounds): ${(100 * ratio).toFixed(1)}%   (target >= 90%)   median ratio ${((100 * median('mesh')) / median('plain')).toFixed(1)}%`);
  console.log(`mesh.serve / plain, by server CPU per request (best of rounds): ${((100 * minCpu('plain')) / minCpu('mesh')).toFixed(1)}%`);
  console.log(
    `mesh.serve with a destination (inbound scope entered per request) / plain: ${((100 * best('mesh+dest')) / best('plain')).toFixed(1)}% by requests/s, ${((100 * minCpu('plain')) / minCpu('mesh+dest')).toFixed(1)}% by CPU`,
  );
  console.log(`plain+als / plain: ${((100 * best('plain+als')) / best('plain')).toFixed(1)}% by requests/s, ${((100 * minCpu('plain')) / minCpu('plain+als')).toFixed(1)}% by CPU (what any AsyncLocalStorage costs on Node 20; the inbound scope needs one)`);

  await sigtermUnderLoad(connections);
}

/**
 * A client keeps `connections` requests in flight against a mesh-served process, which gets
 * SIGTERM after a second. Requests refused at connect time after the listener closed are not
 * accepted ones; every request the server accepted (its handler count) must have had its 200.
 */
async function sigtermUnderLoad(connections) {
  const { Agent, request } = await import('undici');
  const srv = await startChild('sigterm');
  const agent = new Agent({ connections: connections });
  const url = `http://127.0.0.1:${srv.port}/`;
  let ok = 0;
  let failed = 0;
  let stop = false;
  const maxMs = 15_000;
  const stopAt = Date.now() + maxMs;
  const worker = async () => {
    for (let n = 0; n < 200_000 && !stop && Date.now() < stopAt; n++) {
      try {
        const res = await request(url, { dispatcher: agent });
        await res.body.dump();
        if (res.statusCode === 200) ok++;
        else failed++;
      } catch {
        failed++;
        // Refused: the listener is closed; back off a little rather than spin.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const workers = Array.from({ length: connections }, worker);
  await new Promise((r) => setTimeout(r, 1000));
  const signalledAfter = ok;
  srv.proc.kill('SIGTERM');
  const [code] = await once(srv.proc, 'exit');
  stop = true;
  await Promise.all(workers);
  await agent.close();
  const report = JSON.parse(srv.lines.find((l) => l.startsWith('{')) ?? '{}');
  const lost = report.handled - ok;
  console.log(`\nSIGTERM under load (${connections} connections): exit code ${code}; ${report.handled} requests accepted by the server, ${ok} answered 200 at the client (${signalledAfter} before the signal); ${failed} refused after the listener closed.`);
  console.log(`failed among accepted: ${lost}   (target 0)`);
  if (lost !== 0 || code !== 0) process.exitCode = 1;
}
