export const GROUPS: string[];
export interface BenchOptions {
  reps: number;
  count: number;
  maxMs: number;
  warmup: number;
  loadSeconds: number;
  only: string[];
  json: string | undefined;
  dist: string | undefined;
  cpuProf?: string;
  ab?: string;
  quick: boolean;
  fastifyTool: 'wrk' | 'autocannon';
  rssCalls: number;
}
export function parseOptions(argv: readonly string[]): BenchOptions;
