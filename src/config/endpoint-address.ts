import { isIP } from 'node:net';

export type HostPort = { readonly host: string; readonly port: number } | { readonly error: string };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Splits an endpoint address into host and port. IPv6 hosts go in brackets (`[::1]:8080`) and come
 * back without them, as `net.connect` wants them.
 *
 * @example
 * parseHostPort('[::1]:8080') // { host: '::1', port: 8080 }
 * parseHostPort('orders')     // { error: "expected 'host:port', got 'orders'" }
 */
export function parseHostPort(address: string): HostPort {
  const expected = { error: `expected 'host:port', got '${address}'` };
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(address);
  if (url) return { error: `write an endpoint as 'host:port' without a scheme: '${url[1]}'` };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  let host: string;
  let portText: string;
  if (bracketed) {
    [, host, portText] = bracketed as unknown as [string, string, string];
    if (isIP(host) !== 6) return { error: `'${host}' in brackets is not an IPv6 address` };
  } else {
    const colon = address.lastIndexOf(':');
    if (colon <= 0) return expected;
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) return { error: `IPv6 addresses go in brackets: '[${host}]:${portText}'` };
    if (isIP(host) === 0 && !HOSTNAME.test(host)) return { error: `invalid host '${host}' in '${address}'` };
  }
  if (!/^\d+$/.test(portText)) return expected;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return { error: `port ${portText} is out of range 1..65535` };
  return { host, port };
}
