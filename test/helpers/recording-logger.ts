import type { Logger } from '../../src/core/index.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A Logger that keeps what it is told, so tests can assert on warnings. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', msg, fields });
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', msg, fields });
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', msg, fields });
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', msg, fields });
  }
}
