// Client and server in separate pinned processes: raw undici and mesh.request against node:http
// and mesh.serve, (nginx group) raw undici through the two-nginx sidecar pair, and (mtls group)
// the same over mTLS, with the plaintext direct and inmesh pairs interleaved beside them so that
// what mTLS adds is compared within one machine state.
import { startNodeChild, ask, stop, CLIENT_CORE } from './processes.js';
import { measureWindow } from './window.js';
import { runInterleaved } from './interleave.js';
import { hasNginx, startNginxPair } from './nginx-pair.js';

export const CONCURRENCIES = [1, 16, 64];
export const PAIR_CASES = {
  direct: { label: 'undici → node:http', kind: 'undici', server: 'node' },
  undiciMesh: { label: 'undici → mesh.serve', kind: 'undici', server: 'mesh' },
  meshNode: { label: 'mesh.request → node:http', kind: 'mesh', server: 'node' },
  meshMesh: { label: 'mesh.request → mesh.serve', kind: 'mesh', server: 'mesh' },
  nginx: { label: 'undici → nginx → nginx → node:http', kind: 'undici', server: 'nginx' },
  // --ab DIR: the mesh cases again with another build of the library, interleaved in the same run.
  meshNodeB: { label: 'mesh.request (--ab) → node:http', kind: 'mesh', server: 'node', ab: true },
  meshMeshB: { label: 'mesh.request (--ab) → mesh.serve (--ab)', kind: 'mesh', server: 'meshB', ab: true },
  // --only mtls (and the default run): the baseline is raw undici → node:https, both verifying the
  // other's chain; undici → mesh.serve isolates the server's cost, mesh.request → mesh.serve is the pair.
  tlsDirect: { label: 'undici → node:https (mTLS)', kind: 'undici-mtls', server: 'nodeTls', tls: true },
  tlsUndiciMesh: { label: 'undici → mesh.serve (mTLS)', kind: 'undici-mtls', server: 'meshTls', tls: true },
  tlsMeshMesh: { label: 'mesh.request → mesh.serve (mTLS)', kind: 'mesh-mtls', server: 'meshTls', tls: true },
};
export const MTLS_CASES = ['tlsDirect', 'tlsUndiciMesh', 'tlsMeshMesh'];
const CLIENT_SCRIPT = new URL('./client-child.js', import.meta.url).pathname;

/**
 * `servers`: { node: {pid, port}, mesh: {pid, port} }, and nodeTls, meshTls with `pki` (the run's
 * certificates) for the mtls group. Returns { rows, skipped }.
 */
export async function runPairGroup({ groups, servers, opts, windows, pki }) {
  const ids = new Set();
  if (groups.includes('client')) ['direct', 'undiciMesh', 'meshNode', 'meshMesh'].forEach((id) => ids.add(id));
  if (groups.includes('client') && opts.ab) ['meshNodeB', 'meshMeshB'].forEach((id) => ids.add(id));
  // The plaintext pair and its baseline too: the mTLS added p50 is judged against theirs.
  if (groups.includes('mtls') && pki && servers.nodeTls && servers.meshTls) ['direct', 'meshMesh', ...MTLS_CASES].forEach((id) => ids.add(id));
  let nginx;
  const skipped = [];
  if (groups.includes('nginx')) {
    if (hasNginx()) {
      ['direct', 'meshMesh', 'nginx'].forEach((id) => ids.add(id));
      nginx = await startNginxPair(servers.node.port);
      servers = { ...servers, nginx: { pid: servers.node.pid, port: nginx.port, proxies: nginx.pids } };
    } else {
      skipped.push('nginx: /usr/sbin/nginx is not installed (Debian: apt-get install nginx-light); the sidecar pair is not measured');
      console.log(`warning: ${skipped.at(-1)}`);
    }
  }
  const cases = [];
  try {
    for (const id of Object.keys(PAIR_CASES).filter((k) => ids.has(k))) {
      const spec = PAIR_CASES[id];
      const server = servers[spec.server];
      const env = spec.ab ? { ...process.env, INMESH_BENCH_DIST: opts.ab } : undefined;
      const args = [spec.kind, String(server.port), ...(spec.tls ? [pki.dir] : [])];
      const { child } = await startNodeChild(CLIENT_CORE, CLIENT_SCRIPT, args, { profile: `client-${id}`, env });
      cases.push({ id, label: spec.label, child, server });
    }
    for (const c of cases) await ask(c.child, { concurrency: 64, count: opts.warmup, maxMs: opts.maxMs }, opts.maxMs + 30000);
    const measure = async (c, concurrency) => {
      const pids = { client: c.child.pid, server: c.server.pid, ...(c.server.proxies ?? {}) };
      const count = concurrency === 1 ? Math.max(1, Math.round(opts.count / 4)) : opts.count;
      const w = await measureWindow(pids, () => ask(c.child, { concurrency, count, maxMs: opts.maxMs }, opts.maxMs + 30000));
      const n = w.result.n;
      const proxyUs = c.server.proxies ? (w.cpuUs.nginxA + w.cpuUs.nginxB) / n : 0;
      const rec = {
        n,
        rps: w.result.rps,
        p50: w.result.p50,
        p99: w.result.p99,
        clientUs: w.result.clientCpuUs / n,
        serverUs: w.cpuUs.server / n,
        proxyUs,
        // Shares of a core: whether the client or the server was the bottleneck of the window.
        clientBusy: w.result.clientCpuUs / (w.result.seconds * 1e6),
        serverBusy: w.cpuUs.server / (w.elapsedMs * 1000),
        othersShare: w.othersShare,
        stealShare: w.stealShare,
        disturbed: w.disturbed,
      };
      rec.totalUs = rec.clientUs + rec.serverUs + proxyUs;
      return rec;
    };
    const rows = await runInterleaved({ group: 'pair', cases, points: CONCURRENCIES, reps: opts.reps, measure, windows });
    return { rows, skipped };
  } finally {
    await Promise.all(cases.map((c) => stop(c.child)));
    await nginx?.stop();
  }
}
