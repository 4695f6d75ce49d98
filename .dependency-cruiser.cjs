/**
 * The dependency direction of DESIGN.md: folders import only folders below them in the list
 * core → config → discovery/balancer/resilience/identity/telemetry → client/server/grpc → control/sidecar/cli.
 * Siblings talk through core types only; control and sidecar use the public API (src/index.ts).
 */
const tiers = {
  core: [],
  config: ['core'],
  discovery: ['core', 'config'],
  balancer: ['core', 'config', 'discovery'],
  resilience: ['core', 'config'],
  identity: ['core', 'config'],
  telemetry: ['core', 'config'],
  client: ['core', 'config', 'discovery', 'balancer', 'resilience', 'identity', 'telemetry'],
  server: ['core', 'config', 'discovery', 'balancer', 'resilience', 'identity', 'telemetry'],
  grpc: ['core', 'config', 'discovery', 'balancer', 'resilience', 'identity', 'telemetry', 'client', 'server'],
};

const forbidden = Object.entries(tiers).map(([from, allowed]) => ({
  name: `${from}-imports-down-only`,
  comment: `src/${from} may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src'} (DESIGN.md)`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: [`^src/(${[from, ...allowed].join('|')})/`] },
}));

forbidden.push(
  {
    name: 'control-sidecar-through-public-api',
    comment: 'control and sidecar use the library through src/index.ts (and experimental.ts) only',
    severity: 'error',
    from: { path: '^src/(control|sidecar)/' },
    to: { path: '^src/', pathNot: ['^src/(index|experimental)\\.ts$', '^src/(control|sidecar)/'] },
  },
  {
    name: 'cli-is-thin',
    comment: 'the cli dispatches to control, sidecar, config and the public API',
    severity: 'error',
    from: { path: '^src/cli/' },
    to: { path: '^src/', pathNot: ['^src/(index|experimental)\\.ts$', '^src/(cli|control|sidecar|config|core)/', '^src/demo/'] },
  },
  {
    name: 'demo-through-public-api',
    comment: 'the demo is a user of inmesh: it imports the public API only',
    severity: 'error',
    from: { path: '^src/demo/' },
    to: { path: '^src/', pathNot: ['^src/(index|experimental)\\.ts$', '^src/demo/'] },
  },
  {
    name: 'no-circular',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
