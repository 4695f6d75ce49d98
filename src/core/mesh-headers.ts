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

/** Parses `inflight=3;elu=0.42`; missing or malformed fields are undefined. */
export function parseLoadReport(value: string | undefined): { inflight: number | undefined; elu: number | undefined } {
  let inflight: number | undefined;
  let elu: number | undefined;
  if (value) {
    for (const part of value.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim();
      const n = Number(part.slice(eq + 1));
      if (!Number.isFinite(n) || n < 0) continue;
      if (key === 'inflight') inflight = n;
      else if (key === 'elu') elu = Math.min(1, n);
    }
  }
  return { inflight, elu };
}

export function formatLoadReport(inflight: number, elu: number): string {
  return `inflight=${inflight};elu=${elu.toFixed(3)}`;
}
