import type { Logger } from '../experimental.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The log of the demo's workloads: JSON lines on standard error, as a mesh's own, from `warn` up
 * unless INMESH_LOG names another level. Eight workloads starting and taking a config change say
 * at info what the demo's own lines already show; a warning still shows, until `silenced()`: after
 * Ctrl-C, which the daemon gets too, every workload would warn that it is gone.
 */
export function demoLogger(silenced: () => boolean): Logger {
  const chosen = process.env.INMESH_LOG;
  const min = LEVELS.indexOf((LEVELS as readonly string[]).includes(chosen ?? '') ? (chosen as Level) : 'warn');
  const write = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < min || silenced()) return;
    const extra = fields ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v])) : {};
    process.stderr.write(`${JSON.stringify({ level, msg, ...extra })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
