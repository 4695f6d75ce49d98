// Command-line options of bench/sidecar.js.

export const GROUPS = ['client', 'server', 'nginx', 'mtls', 'fastify', 'rss'];

const USAGE = `usage: node bench/sidecar.js [--reps N] [--count N] [--seconds S] [--quick] [--only ${GROUPS.join(',')}] [--json FILE] [--dist DIR] [--ab DIR] [--cpu-prof DIR] [--fastify-tool wrk|autocannon]`;

/**
 * `count`: calls per window at concurrency 16 and 64 (a quarter of it at concurrency 1);
 * `maxMs`: the time bound of every window; `loadSeconds`: the length of a wrk window (wrk runs
 * for a duration). `--quick` is a smoke run: tiny counts, one repetition.
 */
export function parseOptions(argv) {
  const o = { reps: 3, count: 50000, maxMs: 5000, fastifyTool: 'wrk', warmup: 3000, loadSeconds: 3, only: [...GROUPS], json: undefined, dist: undefined, quick: false, rssCalls: 10000, rssIdleMs: 20000 };
  const value = (i) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${argv[i]} needs a value\n${USAGE}`);
    return v;
  };
  const positive = (i) => {
    const n = Number(value(i));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${argv[i]} must be a positive integer, got ${argv[i + 1]}`);
    return n;
  };
  let reps, count, seconds;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--reps') reps = positive(i++);
    else if (a === '--count') count = positive(i++);
    else if (a === '--seconds') seconds = positive(i++);
    else if (a === '--json') o.json = value(i++);
    else if (a === '--dist') o.dist = value(i++);
    else if (a === '--cpu-prof') o.cpuProf = value(i++);
    else if (a === '--ab') o.ab = value(i++);
    else if (a === '--fastify-tool') {
      o.fastifyTool = value(i++);
      if (!['wrk', 'autocannon'].includes(o.fastifyTool)) throw new Error(`--fastify-tool is wrk or autocannon, got ${o.fastifyTool}`);
    }
    else if (a === '--only') {
      o.only = value(i++).split(',').map((g) => g.trim()).filter(Boolean);
      const unknown = o.only.filter((g) => !GROUPS.includes(g));
      if (unknown.length) throw new Error(`unknown group ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}`);
    } else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (o.quick) Object.assign(o, { reps: 1, count: 400, maxMs: 2000, warmup: 200, loadSeconds: 1, rssCalls: 200, rssIdleMs: 0 });
  if (reps !== undefined) o.reps = reps;
  if (count !== undefined) o.count = count;
  if (seconds !== undefined) o.maxMs = seconds * 1000;
  return o;
}
