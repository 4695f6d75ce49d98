import { NODATA, NOTFOUND, type RecordWithTtl, type SrvRecord } from 'node:dns';
import type { DnsLookup } from '../../src/discovery/dns-resolver.js';

type Kind = 'A' | 'AAAA' | 'SRV';

/**
 * An in-memory DnsLookup that fails the way `dns.promises.Resolver` does: ENOTFOUND for a name it
 * does not know, ENODATA for a known name without records of the asked type, and any code set by `fail()`.
 */
export class FakeDnsLookup implements DnsLookup {
  readonly a = new Map<string, RecordWithTtl[]>();
  readonly aaaa = new Map<string, RecordWithTtl[]>();
  readonly srv = new Map<string, SrvRecord[]>();
  /** Every lookup, as `TYPE name`. */
  readonly calls: string[] = [];
  #failure: string | undefined;
  #gate: Promise<void> | undefined;

  /** Makes every lookup fail with this code (ETIMEOUT, ESERVFAIL, …) until `recover()`. */
  fail(code = 'ETIMEOUT'): void {
    this.#failure = code;
  }

  recover(): void {
    this.#failure = undefined;
  }

  /** Holds every lookup until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise<void>((r) => (release = r));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  count(kind: Kind, name: string): number {
    return this.calls.filter((c) => c === `${kind} ${name}`).length;
  }

  resolve4(name: string, _options: { ttl: true }): Promise<RecordWithTtl[]> {
    return this.#answer('A', name, this.a);
  }

  resolve6(name: string, _options: { ttl: true }): Promise<RecordWithTtl[]> {
    return this.#answer('AAAA', name, this.aaaa);
  }

  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.#answer('SRV', name, this.srv);
  }

  async #answer<T>(kind: Kind, name: string, table: ReadonlyMap<string, T[]>): Promise<T[]> {
    this.calls.push(`${kind} ${name}`);
    if (this.#gate) await this.#gate;
    if (this.#failure) throw dnsError(this.#failure, kind, name);
    const records = table.get(name);
    if (records && records.length > 0) return records.map((r) => ({ ...r }));
    const known = this.a.has(name) || this.aaaa.has(name) || this.srv.has(name);
    throw dnsError(known ? NODATA : NOTFOUND, kind, name);
  }
}

function dnsError(code: string, kind: Kind, name: string): Error {
  const query = kind === 'A' ? 'queryA' : kind === 'AAAA' ? 'queryAaaa' : 'querySrv';
  return Object.assign(new Error(`${query} ${code} ${name}`), { code, syscall: query, hostname: name });
}
