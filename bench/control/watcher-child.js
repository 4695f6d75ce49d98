// One process of config watchers for bench/control/watchers.js: `count` blocking queries on
// /v1/config, each on its own keep-alive connection (a parked query holds its connection, so N
// watchers are N connections to the daemon). For each new version it tells the parent when
// every one of its watchers had it, as epoch ms with sub-ms precision.
// Arguments: <daemon url> <count> <CA bundle file>.
import { readFileSync } from 'node:fs';
import { Client } from 'undici';

const [url, countArg, caFile] = process.argv.slice(2);
const count = Number(countArg);
const ca = readFileSync(caFile, 'utf8');
const WAIT = '60s';
const now = () => performance.timeOrigin + performance.now();
/** version → the times each watcher saw it. */
const seen = new Map();
let stopping = false;
let firstAnswers = 0;

function saw(version, at) {
  const times = seen.get(version) ?? [];
  times.push(at);
  seen.set(version, times);
  if (times.length === count) {
    process.send({ version, times });
    seen.delete(version);
  }
}

async function watch(client) {
  let version;
  while (!stopping) {
    const path = version === undefined ? '/v1/config' : `/v1/config?version=${version}&wait=${WAIT}`;
    try {
      const res = await client.request({ path, method: 'GET', headersTimeout: 90_000, bodyTimeout: 90_000 });
      const body = JSON.parse(await res.body.text());
      const at = now();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      if (version === undefined) {
        version = body.version;
        if (++firstAnswers === count) process.send({ ready: true });
      } else if (body.version !== version) {
        version = body.version;
        saw(version, at);
      }
    } catch (err) {
      if (stopping) return;
      process.send({ error: String(err) });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const clients = Array.from({ length: count }, () => new Client(url, { connect: { ca }, pipelining: 1, keepAliveTimeout: 120_000 }));
for (const c of clients) void watch(c);
process.on('message', async (m) => {
  if (m !== 'stop') return;
  stopping = true;
  await Promise.all(clients.map((c) => c.destroy()));
  process.exit(0);
});
