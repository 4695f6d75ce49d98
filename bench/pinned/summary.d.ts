export function median(values: readonly number[]): number;
export function summarise<T extends { disturbed?: boolean }>(reps: readonly T[]): Record<string, number | boolean> & {
  reps: number;
  disturbed: number;
  used: number;
  usedDisturbed: boolean;
};
export function ratio(subject: number, base: number): number;
export function rotate<T>(items: readonly T[], by: number): T[];
