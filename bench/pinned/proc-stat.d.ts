export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}
export interface SystemStat {
  busy: number;
  idle: number;
  irq: number;
  steal: number;
}
export function parsePidStat(line: string): PidStat;
export function parseSystemStat(text: string): SystemStat;
export function readPidTicks(pid: number, o?: { children?: boolean }): number;
export function readSystemTicks(): SystemStat;
export function clockTicks(): number;
export function hasProcfs(): boolean;
