import type { Logger } from '../core/index.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * A logger that writes one JSON line per event to stderr at or above `level` (default from
 * INMESH_LOG: debug, info, warn, error or silent; else `info`, so the config loaded and each applied
 * reload are seen). An unknown INMESH_LOG value is reported once and `info` is used.
 *
 * @example
 * const log = consoleLogger('warn');
 */
export function consoleLogger(level?: LogLevel): Logger {
  const fromEnv = process.env.INMESH_LOG;
  const chosen = level ?? (fromEnv && Object.hasOwn(LEVELS, fromEnv) ? (fromEnv as LogLevel) : 'info');
  const min = LEVELS[chosen] ?? LEVELS.info;
  const write = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    const extra = fields ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v])) : {};
    process.stderr.write(`${JSON.stringify({ level: lvl, msg, ...extra })}\n`);
  };
  const log = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  if (level === undefined && fromEnv && !Object.hasOwn(LEVELS, fromEnv)) log.warn('unknown INMESH_LOG level; using info', { INMESH_LOG: fromEnv, levels: Object.keys(LEVELS).join(', ') });
  return log;
}
