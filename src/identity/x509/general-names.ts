import { isIPv4, isIPv6 } from 'node:net';
import { MeshError } from '../../core/index.js';
import { children, type DerNode, expectTag, readWhole } from './der-reader.js';
import { ia5Bytes, implicit, sequence, Tag } from './der-writer.js';

/** The subjectAltName entries we write and read (RFC 5280 GeneralName choices 2, 6 and 7). */
export interface AltNames {
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

const DNS = 2;
const URI = 6;
const IP = 7;

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Bytes(ip: string): number[] {
  let text = ip;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 (::ffff:1.2.3.4) counts as the last two groups.
    tail = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The 4 or 16 address bytes of an IP literal; a clear error for anything else. */
export function ipAddressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ipv4Bytes(ip));
  if (isIPv6(ip) && !ip.includes('%')) return Buffer.from(ipv6Bytes(ip));
  throw new MeshError('MESH_ERR_IDENTITY', `${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
}

function ipAddressText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
    // RFC 5952: the longest run of two or more zero groups becomes '::'.
    let best = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLength) [best, bestLength] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0) return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
  }
  throw new MeshError('MESH_ERR_IDENTITY', `an IP address SAN of ${bytes.length} bytes`);
}

const DNS_NAME = /^(\*\.)?([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*$/;

/** The DER of a GeneralNames SEQUENCE: URIs first, then DNS names, then IP addresses. */
export function encodeGeneralNames(names: AltNames): Buffer {
  for (const d of names.dnsNames) {
    if (d.length > 253 || !DNS_NAME.test(d)) throw new MeshError('MESH_ERR_IDENTITY', `${JSON.stringify(d)} is not a DNS name`);
  }
  return sequence(
    ...names.uris.map((u) => implicit(URI, ia5Bytes(u))),
    ...names.dnsNames.map((d) => implicit(DNS, ia5Bytes(d))),
    ...names.ipAddresses.map((ip) => implicit(IP, ipAddressBytes(ip))),
  );
}

/** Reads a GeneralNames SEQUENCE (an extension value), keeping the three kinds we use. */
export function decodeGeneralNames(der: Buffer): AltNames {
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of children(expectTag(readWhole(der), Tag.SEQUENCE, 'subjectAltName')) as DerNode[]) {
    if (name.tag === (Tag.CONTEXT | URI)) uris.push(name.content.toString('latin1'));
    else if (name.tag === (Tag.CONTEXT | DNS)) dnsNames.push(name.content.toString('latin1'));
    else if (name.tag === (Tag.CONTEXT | IP)) ipAddresses.push(ipAddressText(name.content));
  }
  return { uris, dnsNames, ipAddresses };
}
