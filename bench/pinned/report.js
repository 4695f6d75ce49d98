// The readable tables: one per group, ratios against the same run's baseline.
import { ratio } from './summary.js';
import { RSS_DESTINATIONS } from './group-rss.js';

const n0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '-');
const n1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const rx = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '-');
const pc = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '-');
const d1 = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}` : '-');

/** Prints rows as aligned columns; a row's label ends in '*' when a window of it was disturbed. */
export function printTable(title, header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  for (const r of all) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
}

const mark = (s) => (s.usedDisturbed ? '*' : '');

/** `baseId`, `against`: the baseline case the × columns divide by, and its words in the title. */
export function printPair(pair, cases, reps, { baseId = 'direct', against = 'undici → node:http', title = 'client → server' } = {}) {
  const rows = [];
  for (const c of [1, 16, 64]) {
    const base = pair[baseId]?.[c];
    for (const [id, label] of cases) {
      const s = pair[id]?.[c];
      if (!s) continue;
      rows.push([
        `${label}${mark(s)}`, c, n0(s.rps), rx(ratio(s.rps, base?.rps)), n1(s.p50), d1(s.p50 - base?.p50), n1(s.p99),
        n1(s.clientUs), rx(ratio(s.clientUs, base?.clientUs)), n1(s.serverUs), rx(ratio(s.serverUs, base?.serverUs)),
        s.proxyUs ? n1(s.proxyUs) : '-', n1(s.totalUs), rx(ratio(s.totalUs, base?.totalUs)), pc(s.clientBusy), pc(s.serverBusy),
        `${n1(s.clientUsMin)} ${rx(ratio(s.clientUsMin, base?.clientUsMin))}`, `${n1(s.serverUsMin)} ${rx(ratio(s.serverUsMin, base?.serverUsMin))}`,
      ]);
    }
  }
  printTable(
    `${title}, pinned (client core 0, server core 1); median of the undisturbed of ${reps} reps; × = against ${against} at the same concurrency; busy = share of a core`,
    ['case', 'conc', 'req/s', '×', 'p50 µs', 'Δp50', 'p99 µs', 'client µs/req', '×', 'server µs/req', '×', 'proxies µs/req', 'total µs/req', '×', 'client busy', 'server busy', 'lowest client ×', 'lowest server ×'],
    rows,
  );
}

export function printSidecar(pair) {
  const d = pair.direct;
  const m = pair.meshMesh;
  const g = pair.nginx;
  if (!d || !g) return;
  const rows = [1, 16, 64].map((c) => [
    c, d1(m?.[c]?.p50 - d[c].p50), d1(g[c].p50 - d[c].p50), rx(ratio(m?.[c]?.rps, d[c].rps)), rx(ratio(g[c].rps, d[c].rps)),
    rx(ratio(m?.[c]?.rps, g[c].rps)), rx(0.9 * ratio(d[c].rps, g[c].rps)), n1(d[c].totalUs), n1(m?.[c]?.totalUs), n1(g[c].totalUs),
  ]);
  printTable(
    'the sidecar comparison: inmesh pair (mesh.request → mesh.serve) vs two nginx hops (undici → nginx A → nginx B → node:http); total CPU = client + server (+ both nginx)',
    ['conc', 'mesh Δp50 µs', 'nginx Δp50 µs', 'mesh ×direct', 'nginx ×direct', 'mesh ×nginx', 'goal (0.9×direct/nginx)', 'direct CPU µs/req', 'mesh CPU µs/req', 'nginx pair CPU µs/req'],
    rows,
  );
}

/**
 * The mtls group: its cases against raw undici → node:https mTLS, then each cost beside the
 * caller or server it shares, and what mTLS adds to the p50 against what the plaintext pair adds
 * in the same run.
 */
export function printMtls(pair, reps) {
  if (!pair.tlsDirect) return;
  const cases = [['tlsDirect', 'undici → node:https'], ['tlsUndiciMesh', 'undici → mesh.serve'], ['tlsMeshMesh', 'mesh.request → mesh.serve']];
  printPair(pair, cases, reps, { baseId: 'tlsDirect', against: 'undici → node:https (mTLS)', title: 'client → server over mTLS (EC P-256 certificates, keep-alive)' });
  const rows = [1, 16, 64].map((c) => {
    const [d, u, m] = ['tlsDirect', 'tlsUndiciMesh', 'tlsMeshMesh'].map((id) => pair[id]?.[c]);
    const added = m?.p50 - d?.p50;
    const plainAdded = pair.meshMesh?.[c]?.p50 - pair.direct?.[c]?.p50;
    return [
      c, rx(ratio(m?.rps, d?.rps)), rx(ratio(m?.clientUs, u?.clientUs)), rx(ratio(m?.clientUsMin, u?.clientUsMin)), rx(ratio(u?.serverUs, d?.serverUs)), rx(ratio(u?.serverUsMin, d?.serverUsMin)),
      d1(added), d1(plainAdded), d1(added - plainAdded), d1(d?.totalUs - pair.direct?.[c]?.totalUs), d1(m?.totalUs - pair.meshMesh?.[c]?.totalUs),
    ];
  });
  printTable(
    'mTLS, same run: client × = mesh.request against raw undici, both to mesh.serve; server × = mesh.serve against node:https, both called by raw undici; Δp50 = the pair against its direct baseline; TLS CPU = total µs/req over mTLS minus in plaintext',
    ['conc', 'pair ×raw', 'client ×', 'lowest client ×', 'server ×', 'lowest server ×', 'mTLS Δp50 µs', 'plaintext Δp50 µs', 'mTLS − plaintext', 'TLS CPU raw µs/req', 'TLS CPU mesh µs/req'],
    rows,
  );
}

export function printServer(server, pair, reps) {
  const rows = [];
  const wn = server.wrkNode?.[64];
  const wm = server.wrkMesh?.[64];
  if (wn && wm) {
    rows.push([`wrk -c64 → node:http${mark(wn)}`, n0(wn.rps), n1(wn.serverUs), '', pc(wn.serverBusy)]);
    rows.push([`wrk -c64 → mesh.serve${mark(wm)}`, n0(wm.rps), n1(wm.serverUs), rx(ratio(wm.serverUs, wn.serverUs)), pc(wm.serverBusy)]);
  }
  for (const [caller, nodeId, meshId] of [['undici', 'direct', 'undiciMesh'], ['mesh.request', 'meshNode', 'meshMesh']]) {
    for (const c of [16, 64]) {
      const a = pair[nodeId]?.[c];
      const b = pair[meshId]?.[c];
      if (!a || !b) continue;
      rows.push([`${caller} c${c} → node:http${mark(a)}`, n0(a.rps), n1(a.serverUs), '', pc(a.serverBusy)]);
      rows.push([`${caller} c${c} → mesh.serve${mark(b)}`, n0(b.rps), n1(b.serverUs), rx(ratio(b.serverUs, a.serverUs)), pc(b.serverBusy)]);
    }
  }
  if (rows.length) printTable(`server CPU per request (/proc/<pid>/stat), median of the undisturbed of ${reps} reps; × = mesh.serve against node:http with the same caller`, ['caller → server', 'req/s', 'server µs/req', '×', 'server busy'], rows);
}

export function printFastify(fastify, reps, tool) {
  const p = fastify.plain?.[64];
  if (!p) return;
  const rows = [['plain', 'plain Fastify'], ['mesh', 'Fastify via mesh.serve'], ['dest', 'mesh.serve + a destination']].map(([id, label]) => {
    const s = fastify[id][64];
    return [`${label}${mark(s)}`, n0(s.rps), rx(ratio(s.rps, p.rps)), n1(s.p50), n1(s.p99), n1(s.serverUs), rx(ratio(s.serverUs, p.serverUs)), rx(ratio(p.serverUs, s.serverUs)), pc(s.serverBusy)];
  });
  printTable(`Fastify hello, ${tool} -c 64 pinned to core 0, server on core 1; median of the undisturbed of ${reps} reps`, ['server', 'req/s', '×plain', 'p50 µs', 'p99 µs', 'server µs/req', '×plain', 'throughput by CPU', 'server busy'], rows);
}

export function printRss(rss, reps, idleMs) {
  if (!rss.node) return;
  const rows = ['node', 'undici', 'mesh', 'undiciCalls', 'meshCalls'].map((id) => {
    const s = rss[id];
    const sameCalls = id === 'meshCalls' ? d1(s.rssMB - rss.undiciCalls.rssMB) : '';
    return [s.label, n1(s.rssMB), d1(s.rssMB - rss.undici.rssMB), sameCalls, d1(s.rssMB - rss.node.rssMB), n1(s.heapMB), n1(s.heapTotalMB), n1(s.rssAtOnceMB), s.repsMB.map(n1).join(' ')];
  });
  printTable(`RSS after GC once idle ${idleMs / 1000} s, fresh process each; median of ${reps} reps; calls: ${RSS_DESTINATIONS} at a time over ${RSS_DESTINATIONS} local servers`, ['state', 'RSS MB', 'over node+undici', 'over undici, same calls', 'over bare node', 'heap used MB', 'heap total MB', 'RSS at once', 'RSS of reps'], rows);
}

export function printTargets(targets) {
  const rows = targets.map((t) => [t.what, t.measured, t.target, t.met === null ? 'not measured' : t.met ? 'met' : 'NOT MET']);
  printTable('targets (issue 8)', ['target', 'measured', 'goal', ''], rows);
}

/** --ab: this build against the other one, case by case, in the same run. */
export function printAb(pair, abDir) {
  const rows = [];
  for (const [id, other, label] of [['meshNode', 'meshNodeB', 'mesh.request → node:http'], ['meshMesh', 'meshMeshB', 'mesh.request → mesh.serve']]) {
    for (const c of [1, 16, 64]) {
      const a = pair[id]?.[c];
      const b = pair[other]?.[c];
      if (!a || !b) continue;
      rows.push([`${label}${mark(a)}${mark(b)}`, c, rx(ratio(a.rps, b.rps)), d1(a.p50 - b.p50), rx(ratio(a.clientUs, b.clientUs)), rx(ratio(a.serverUs, b.serverUs)), rx(ratio(a.totalUs, b.totalUs))]);
    }
  }
  if (rows.length) printTable(`A/B: this build against ${abDir} (× = this / that)`, ['case', 'conc', 'req/s ×', 'Δp50 µs', 'client µs/req ×', 'server µs/req ×', 'total µs/req ×'], rows);
}
