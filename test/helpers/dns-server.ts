import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv4 } from 'node:net';

/** A record the test DNS server answers with; `ttl` is in seconds (default 0, so c-ares caches nothing). */
export type DnsRecord =
  | { readonly type: 'A' | 'AAAA'; readonly address: string; readonly ttl?: number }
  | { readonly type: 'SRV'; readonly target: string; readonly port: number; readonly weight?: number; readonly priority?: number; readonly ttl?: number };

/** What a name answers: records, or SERVFAIL to simulate a broken upstream. Names not in the table get NXDOMAIN. */
export type DnsEntry = readonly DnsRecord[] | 'SERVFAIL';

export interface TestDnsServer {
  readonly port: number;
  /** `127.0.0.1:<port>`, for `servers: [...]`. */
  readonly server: string;
  /** Every question received, as `TYPE name`. */
  readonly queries: string[];
  /** Replaces what `name` answers; undefined removes it (NXDOMAIN). */
  set(name: string, entry: DnsEntry | undefined): void;
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };
const CODES: Record<string, number> = { A: 1, AAAA: 28, SRV: 33 };
const NXDOMAIN = 3;
const SERVFAIL = 2;
const FORMERR = 1;

/**
 * A small authoritative DNS server over UDP on 127.0.0.1 (RFC 1035 wire format), answering A, AAAA
 * and SRV questions from a table the test can change while it runs.
 *
 * @example
 * const dns = await startDnsServer({ 'orders.test': [{ type: 'A', address: '10.0.0.1' }] });
 * const lookup = systemDnsLookup([dns.server]);
 */
export async function startDnsServer(initial: Record<string, DnsEntry> = {}): Promise<TestDnsServer> {
  const table = new Map<string, DnsEntry>();
  for (const [name, entry] of Object.entries(initial)) table.set(normalize(name), entry);
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const reply = answer(msg, table, queries);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    set(name, entry) {
      if (entry === undefined) table.delete(normalize(name));
      else table.set(normalize(name), entry);
    },
    async close() {
      socket.close();
      await once(socket, 'close');
    },
  };
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function answer(query: Buffer, table: ReadonlyMap<string, DnsEntry>, log: string[]): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000 || query.readUInt16BE(4) !== 1) return header(id, flags, FORMERR, 0);
  let offset = 12;
  const labels: string[] = [];
  for (;;) {
    const len = query[offset];
    if (len === undefined || len > 63 || offset + 1 + len > query.length) return header(id, flags, FORMERR, 0);
    offset++;
    if (len === 0) break;
    labels.push(query.toString('latin1', offset, offset + len));
    offset += len;
  }
  if (offset + 4 > query.length) return header(id, flags, FORMERR, 0);
  const qtype = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const name = normalize(labels.join('.'));
  const type = TYPES[qtype] ?? String(qtype);
  log.push(`${type} ${name}`);

  const entry = table.get(name);
  if (entry === 'SERVFAIL') return Buffer.concat([header(id, flags, SERVFAIL, 0), question]);
  if (entry === undefined) return Buffer.concat([header(id, flags, NXDOMAIN, 0), question]);
  // A known name without records of the asked type is NODATA: NOERROR and no answers.
  const records = entry.filter((r) => CODES[r.type] === qtype);
  return Buffer.concat([header(id, flags, 0, records.length), question, ...records.map(resourceRecord)]);
}

function header(id: number, queryFlags: number, rcode: number, answers: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  // QR, the query's opcode and RD, authoritative, recursion available, and the rcode.
  b.writeUInt16BE(0x8000 | (queryFlags & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(answers, 6);
  return b;
}

function resourceRecord(r: DnsRecord): Buffer {
  let rdata: Buffer;
  if (r.type === 'SRV') {
    const fixed = Buffer.alloc(6);
    fixed.writeUInt16BE(r.priority ?? 0, 0);
    fixed.writeUInt16BE(r.weight ?? 0, 2);
    fixed.writeUInt16BE(r.port, 4);
    rdata = Buffer.concat([fixed, encodeName(r.target)]);
  } else {
    rdata = r.type === 'A' ? ipv4(r.address) : ipv6(r.address);
  }
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // a pointer to the name in the question
  head.writeUInt16BE(CODES[r.type]!, 2);
  head.writeUInt16BE(1, 4); // class IN
  head.writeUInt32BE(r.ttl ?? 0, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function encodeName(name: string): Buffer {
  const parts = normalize(name)
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function ipv4(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

function ipv6(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) throw new Error(`not a plain IPv6 address: ${address}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
