// CPU time of processes and of the whole machine, from /proc, in clock ticks.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * Parses one /proc/<pid>/stat line. The process name (field 2) is in parentheses and may itself
 * contain spaces and parentheses, so the fields after it are found from the LAST ')'.
 */
export function parsePidStat(line) {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const pid = Number(line.slice(0, open).trim());
  const comm = line.slice(open + 1, close);
  // After the name: field 3 (state) is rest[0], so field N is rest[N - 3].
  const rest = line.slice(close + 1).trim().split(/\s+/);
  const field = (n) => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${n} missing in: ${line.slice(0, 80)}`);
    return v;
  };
  return { pid, comm, state: rest[0], utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
}

/**
 * Parses the aggregate "cpu" line of /proc/stat. `busy` is user + nice + system: the time
 * charged to processes. irq/softirq are left out because, with IRQ time accounting, the
 * softirq work of our own loopback traffic lands there and is charged to no process; steal
 * (time the hypervisor gave to others) is reported apart.
 */
export function parseSystemStat(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system, idle: idle + iowait, irq: irq + softirq, steal };
}

/** utime + stime of a live process (ticks); with `children`, also of its reaped children. */
export function readPidTicks(pid, { children = false } = {}) {
  const s = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return s.utime + s.stime + (children ? s.cutime + s.cstime : 0);
}

export function readSystemTicks() {
  return parseSystemStat(readFileSync('/proc/stat', 'utf8'));
}

let hz;
/** Clock ticks per second (`getconf CLK_TCK`; 100 when getconf is missing, as on every Linux we know). */
export function clockTicks() {
  if (hz === undefined) {
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      hz = 100;
    }
  }
  return hz;
}

/** Whether /proc can be read here (Linux). */
export function hasProcfs() {
  try {
    readSystemTicks();
    readPidTicks(process.pid);
    return true;
  } catch {
    return false;
  }
}
