export function median(values: readonly number[]): number;
export function summarise<T extends { disturbed?: boolean }>(reps: readonly T[]): Record<string, number> & { reps: number; disturbed: number };
export function ratio(subject: number, base: number): number;
export function rotate<T>(items: readonly T[], by: number): T[];
