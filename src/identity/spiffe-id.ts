/** A SPIFFE ID: `spiffe://<trustDomain><path>`. */
export interface SpiffeId {
  readonly trustDomain: string;
  readonly path: string;
  toString(): string;
}

const ID = /^spiffe:\/\/([a-z0-9._-]{1,255})((?:\/[A-Za-z0-9._-]+)*)$/;

export function trySpiffeId(s: string): SpiffeId | undefined {
  const m = s.length <= 2048 ? ID.exec(s) : null;
  if (!m || m[2]!.split('/').some((seg) => seg === '.' || seg === '..')) return undefined;
  return { trustDomain: m[1]!, path: m[2]!, toString: () => s };
}

export function serviceSpiffeId(trustDomain: string, service: string): string {
  return `spiffe://${trustDomain}/svc/${service}`;
}
