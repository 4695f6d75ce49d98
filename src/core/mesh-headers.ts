/**
 * Headers the mesh puts on the wire between workloads. Lower-case, as HTTP/2 requires.
 */
export const MeshHeaders = {
  /** The caller's remaining budget in whole milliseconds (relative, so clocks need not agree). */
  deadline: 'inmesh-deadline-ms',
  /** A server's load report on responses: `inflight=<n>;elu=<0..1>` (event-loop utilisation). */
  load: 'inmesh-load',
  /** Set (to `1`) on a 503 that the server refused before doing any work: safe to retry elsewhere. */
  rejected: 'inmesh-rejected',
  /**
   * Set (to `1`) by the mesh client on calls that carry no deadline, so that a server knows a mesh
   * caller (whose balancer reads `inmesh-load`) from anyone else: the load report goes to mesh
   * callers only (with mTLS, to authenticated peers).
   */
  caller: 'inmesh-caller',
} as const;

export interface LoadReport {
  readonly inflight: number | undefined;
  readonly elu: number | undefined;
}

/** A whole number of calls, or a plain decimal fraction: what `formatLoadReport` writes, and nothing `Number()` would also take (`0x10`, `1e3`, `NaN`). */
const WHOLE = /^\d{1,9}$/;
const DECIMAL = /^\d{1,3}(?:\.\d{1,9})?$/;

/**
 * Parses `inflight=3;elu=0.42`. A report is taken whole or not at all: one malformed, duplicated
 * or out-of-range field (`elu` outside 0..1, a negative or fractional `inflight`) makes the
 * whole report undefined, since a server that sends junk in one field cannot be trusted in the
 * others. Unknown fields are skipped, so servers may add some.
 */
export function parseLoadReport(value: string | undefined): LoadReport | undefined {
  if (!value) return undefined;
  let inflight: number | undefined;
  let elu: number | undefined;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    if (key === 'inflight') {
      if (inflight !== undefined || !WHOLE.test(raw)) return undefined;
      inflight = Number(raw);
    } else if (key === 'elu') {
      if (elu !== undefined || !DECIMAL.test(raw)) return undefined;
      elu = Number(raw);
      if (!(elu <= 1)) return undefined;
    } else if (key === '') return undefined;
  }
  return { inflight, elu };
}

export function formatLoadReport(inflight: number, elu: number): string {
  return `inflight=${inflight};elu=${elu.toFixed(3)}`;
}
