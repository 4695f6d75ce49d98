// What the figures were measured on.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

export function describeMachine() {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  return {
    cpu,
    cores: availableParallelism(),
    memoryGB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    kernel: release(),
    loadavg: loadavg().map((x) => +x.toFixed(2)),
  };
}
