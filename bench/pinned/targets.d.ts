export interface TargetResult {
  what: string;
  measured: string;
  target: string;
  met: boolean | null;
  values: number[];
}
export function evaluateTargets(results: unknown): TargetResult[];
