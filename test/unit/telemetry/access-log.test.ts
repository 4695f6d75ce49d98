import { describe, expect, it } from 'vitest';
import { AccessLog, withoutQuery, type AccessLogRecord } from '../../../src/telemetry/access-log.js';
import { DEFAULT_ACCESS_LOG } from '../../../src/config/defaults.js';

const record: AccessLogRecord = {
  direction: 'outbound',
  peerService: 'orders',
  route: 'default',
  method: 'GET',
  path: '/a/b?token=x#frag',
  status: 200,
  durationMs: 1.23456,
  attempts: 1,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  header: (name) => ({ 'x-id': '7', authorization: 'Bearer s' })[name],
};

function logWith(headers: readonly string[], random = () => 0.5, sampleRatio = 1): { log: AccessLog; lines: string[] } {
  const lines: string[] = [];
  const log = new AccessLog({ ...DEFAULT_ACCESS_LOG, headers, sampleRatio }, { service: 'checkout', random, sink: { push: (l) => lines.push(l) } });
  return { log, lines };
}

describe('AccessLog', () => {
  it('prints the listed headers only, the trace ids it is given, and no query string', () => {
    const { log, lines } = logWith(['x-id', 'x-absent']);
    log.write(record);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, service: 'checkout', path: '/a/b', duration_ms: 1.235, trace_id: record.traceId, span_id: record.spanId, request_headers: { 'x-id': '7' } });
    expect(lines[0]).not.toContain('Bearer');
    // Fields not known are left out rather than written as null.
    expect('error' in line).toBe(false);
  });

  it('samples by the ratio against the injected random', () => {
    expect(logWith([], () => 0.3, 0.5).log.sample()).toBe(true);
    expect(logWith([], () => 0.7, 0.5).log.sample()).toBe(false);
    expect(logWith([], () => 0, 0).log.sample()).toBe(false);
    expect(logWith([], () => 0.999, 1).log.sample()).toBe(true);
  });

  it('cuts the query and fragment off a path', () => {
    expect(withoutQuery('/x?y=1')).toBe('/x');
    expect(withoutQuery('/x#y?z')).toBe('/x');
    expect(withoutQuery('/x')).toBe('/x');
    expect(withoutQuery(undefined)).toBeUndefined();
  });
});
