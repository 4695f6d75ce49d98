export const DISTURBANCE_THRESHOLD: number;
export function othersUsage(o: { busyTicks: number; measuredTicks: number; elapsedMs: number; hz: number; threshold?: number }): {
  othersTicks: number;
  shareOfCore: number;
  disturbed: boolean;
};
export function disturbedRows(windows: readonly { group: string; case: string; point: number; disturbed: boolean }[]): {
  rows: number;
  disturbed: number;
  onlyDisturbed: number;
};
