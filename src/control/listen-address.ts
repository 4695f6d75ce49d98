import { isIP } from 'node:net';
import { MeshError } from '../index.js';

export const DEFAULT_LISTEN = '127.0.0.1:7070';

export interface ListenAddress {
  /** Without brackets. */
  readonly host: string;
  readonly port: number;
}

/** `host:port` or `[v6]:port`; port 0 picks a free one. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  const port = m ? Number(m[3]) : NaN;
  const hostOk = m?.[1] !== undefined ? isIP(host) === 6 : host !== '' && (isIP(host) === 4 || /^[A-Za-z0-9.-]+$/.test(host));
  if (!m || !hostOk || !(port >= 0 && port <= 65535)) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', `invalid listen address ${JSON.stringify(text)}: expected host:port (e.g. 127.0.0.1:7070, [::1]:7070; port 0 picks one)`);
  }
  return { host, port };
}

/** The URL clients dial for an address the server listens on. */
export function urlOf(host: string, port: number): string {
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
