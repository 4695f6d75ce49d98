export function parseWrkOutput(text: string): {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
};
export const WRK_STOP_SCRIPT: string;
