import { isIP } from 'node:net';
import { badRequest } from './http/control-http-error.js';

/** A service name as mesh.yaml writes it: a DNS name (it is also the last segment of the SPIFFE ID). */
const SERVICE_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function checkServiceName(name: unknown, what = 'service'): string {
  if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name;
    throw badRequest(`invalid ${what} ${shown}: use a DNS name (lowercase letters, digits, '-' and '.')`);
  }
  return name;
}

/** `host:port` as mesh.yaml endpoints are written: an IPv4 address or host name, or `[IPv6]`; port 1..65535. */
export function checkInstanceAddress(address: string): string {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : 0;
  const host = m?.[1] ?? '';
  const hostOk = host.startsWith('[') ? isIP(host.slice(1, -1)) === 6 : isIP(host) === 4 || (HOST_NAME.test(host) && !/^[\d.]+$/.test(host));
  if (!m || port < 1 || port > 65535 || !hostOk) {
    throw badRequest(`invalid instance address ${JSON.stringify(address.slice(0, 80))}: write host:port, an IPv6 address in brackets ([::1]:8080)`);
  }
  return address;
}
