import type { Logger } from '../core/index.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * A logger that writes one JSON line per event to stderr at or above `level`
 * (default from INMESH_LOG, else `warn`), so the mesh is quiet unless something is wrong.
 *
 * @example
 * const log = consoleLogger('info');
 */
export function consoleLogger(level: LogLevel = (process.env.INMESH_LOG as LogLevel) || 'warn'): Logger {
  const min = LEVELS[level] ?? LEVELS.warn;
  const write = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    const extra = fields ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v])) : {};
    process.stderr.write(`${JSON.stringify({ level: lvl, msg, ...extra })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
