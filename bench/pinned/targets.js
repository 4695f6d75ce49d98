// The targets, each with the figure this run measured and whether it is met.
import { ratio } from './summary.js';

// Three decimals: at two, a ratio of 1.104 would print as its 1.10 goal and read as met.
const x = (v) => (Number.isFinite(v) ? `${v.toFixed(3)}×` : 'n/a');
const us = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)} µs` : 'n/a');
const mb = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)} MB` : 'n/a');

/** met: true / false, or null when a figure was not measured. */
function target(what, values, goal, fmt, test) {
  const measured = values.every((v) => !Number.isFinite(v)) ? 'not measured' : values.map(fmt).join(' / ');
  const met = values.some((v) => !Number.isFinite(v)) ? null : values.every(test);
  return { what, measured, target: goal, met, values };
}

export function evaluateTargets(r) {
  const pair = r.pair ?? {};
  const at = (id, c, k) => pair[id]?.[c]?.[k];
  const rel = (id, base, c, k) => ratio(at(id, c, k), at(base, c, k));
  const srv = r.server ?? {};
  const fa = r.fastify ?? {};
  const rss = r.rss ?? {};
  const nginxGoal = [16, 64].map((c) => 0.9 * rel('direct', 'nginx', c, 'rps'));
  const tlsAdded = at('tlsMeshMesh', 1, 'p50') - at('tlsDirect', 1, 'p50');
  const plainAdded = at('meshMesh', 1, 'p50') - at('direct', 1, 'p50');
  const vsNginx = [16, 64].map((c) => rel('meshMesh', 'nginx', c, 'rps'));
  return [
    target('inmesh client → inmesh server vs undici → node:http, throughput c16 / c64', [16, 64].map((c) => rel('meshMesh', 'direct', c, 'rps')), '≥ 0.90×', x, (v) => v >= 0.9),
    target("inmesh client's own CPU/req vs raw undici's (to node:http), c16 / c64", [16, 64].map((c) => rel('meshNode', 'direct', c, 'clientUs')), '≤ 1.10×', x, (v) => v <= 1.1),
    target("  the same, lowest window against lowest window", [16, 64].map((c) => rel('meshNode', 'direct', c, 'clientUsMin')), '≤ 1.10×', x, (v) => v <= 1.1),
    target('mesh.request → node:http vs undici, throughput c1 / c16 / c64', [1, 16, 64].map((c) => rel('meshNode', 'direct', c, 'rps')), '≥ 0.90× each', x, (v) => v >= 0.9),
    target('server CPU/req called by wrk: mesh.serve vs node:http', [ratio(srv.wrkMesh?.[64]?.serverUs, srv.wrkNode?.[64]?.serverUs)], '≤ 1.10×', x, (v) => v <= 1.1),
    target('  the same, lowest window against lowest window', [ratio(srv.wrkMesh?.[64]?.serverUsMin, srv.wrkNode?.[64]?.serverUsMin)], '≤ 1.10×', x, (v) => v <= 1.1),
    target('server CPU/req called by mesh.request: mesh.serve vs node:http, c16 / c64', [16, 64].map((c) => rel('meshMesh', 'meshNode', c, 'serverUs')), '≤ 1.10×', x, (v) => v <= 1.1),
    target('  the same, lowest window against lowest window', [16, 64].map((c) => rel('meshMesh', 'meshNode', c, 'serverUsMin')), '≤ 1.10×', x, (v) => v <= 1.1),
    target(`Fastify via mesh.serve vs plain, throughput (${r.fastifyTool ?? 'wrk'} -c 64)`, [ratio(fa.mesh?.[64]?.rps, fa.plain?.[64]?.rps)], '≥ 0.90×', x, (v) => v >= 0.9),
    target('Fastify via mesh.serve with destinations vs plain, throughput', [ratio(fa.dest?.[64]?.rps, fa.plain?.[64]?.rps)], '≥ 0.90×', x, (v) => v >= 0.9),
    target('RSS: createMesh with 1 destination, over node + undici', [rss.mesh?.rssMB - rss.undici?.rssMB], '≤ +10 MB', mb, (v) => v <= 10),
    // Over raw undici after the same calls: undici's own connections and parser are not the mesh's.
    target(`RSS: after ${r.options?.rssCalls ?? 10000} calls to 10 destinations, over undici after the same calls`, [rss.meshCalls?.rssMB - rss.undiciCalls?.rssMB], '≤ +15 MB', mb, (v) => v <= 15),
    target('added p50 at c1, inmesh pair vs direct', [at('meshMesh', 1, 'p50') - at('direct', 1, 'p50')], '≤ +10 µs', us, (v) => v <= 10),
    target('mTLS: inmesh pair vs undici → node:https, throughput c16 / c64', [16, 64].map((c) => rel('tlsMeshMesh', 'tlsDirect', c, 'rps')), '≥ 0.90×', x, (v) => v >= 0.9),
    target("mTLS: inmesh client's own CPU/req vs raw undici's (to mesh.serve), c16 / c64", [16, 64].map((c) => rel('tlsMeshMesh', 'tlsUndiciMesh', c, 'clientUs')), '≤ 1.10×', x, (v) => v <= 1.1),
    target('  the same, lowest window against lowest window', [16, 64].map((c) => rel('tlsMeshMesh', 'tlsUndiciMesh', c, 'clientUsMin')), '≤ 1.10×', x, (v) => v <= 1.1),
    target('mTLS: server CPU/req called by undici: mesh.serve vs node:https, c16 / c64', [16, 64].map((c) => rel('tlsUndiciMesh', 'tlsDirect', c, 'serverUs')), '≤ 1.10×', x, (v) => v <= 1.1),
    target('  the same, lowest window against lowest window', [16, 64].map((c) => rel('tlsUndiciMesh', 'tlsDirect', c, 'serverUsMin')), '≤ 1.10×', x, (v) => v <= 1.1),
    {
      // What mTLS adds to the pair's p50, beyond what the plaintext pair adds in the same run.
      ...target('mTLS: added p50 at c1, inmesh pair vs direct, over the plaintext one', [tlsAdded - plainAdded], '≤ +5 µs', us, (v) => v <= 5),
      ...(Number.isFinite(tlsAdded - plainAdded) && { measured: `${us(tlsAdded - plainAdded)} (mTLS ${us(tlsAdded)}, plaintext ${us(plainAdded)})` }),
    },
    {
      ...target('inmesh pair vs the two-nginx pair, throughput c16 / c64', vsNginx, `≥ 0.90 × direct/nginx = ${nginxGoal.map(x).join(' / ')}`, x, () => true),
      met: vsNginx.some((v) => !Number.isFinite(v)) ? null : vsNginx.every((v, i) => v >= nginxGoal[i]),
    },
  ];
}
