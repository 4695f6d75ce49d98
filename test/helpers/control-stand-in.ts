import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority, generateKeyPair } from '../../src/identity/index.js';
import { CONTROL_VERSION_HEADER, LEASE_DEFAULT_SECONDS, type RegisteredInstance, type RegisterInstanceBody } from '../../src/config/control-api.js';

interface ServiceState {
  version: number;
  readonly instances: Map<string, { instance: RegisteredInstance; expiresAt: number }>;
}

/**
 * A control daemon that speaks the v1 contract (src/config/control-api.ts) over real HTTPS on
 * 127.0.0.1: blocking queries on config and registry, idempotent PUT of instances with leases,
 * DELETE, and CSR signing. It can be stopped and started again on the same port, with or without
 * its state, so tests see a daemon go away and come back.
 */
export class ControlDaemon {
  readonly ca: CertificateAuthority;
  readonly trustDomain: string;
  port = 0;
  /** Every PUT and DELETE of an instance, in order. */
  readonly writes: { method: 'PUT' | 'DELETE'; service: string; address: string; body?: RegisterInstanceBody; clientCert: boolean }[] = [];
  /** How many certificate requests were signed. */
  issued = 0;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<() => void>();
  #config: { version: number; yaml: string } | undefined;
  readonly #services = new Map<string, ServiceState>();
  /** Versions never go back, also across a restart without state. */
  #clock = 0;
  #sweep: NodeJS.Timeout | undefined;
  readonly #serverCert: { cert: string; key: string };

  constructor(o: { trustDomain?: string; yaml?: string } = {}) {
    this.trustDomain = o.trustDomain ?? 'shop.local';
    this.ca = CertificateAuthority.create({ trustDomain: this.trustDomain, ttl: 86_400_000 });
    const { publicKey, privateKey } = generateKeyPair();
    const cert = this.ca.issue({ publicKey, spiffeId: `spiffe://${this.trustDomain}/svc/inmesh-control`, ttl: 3_600_000, ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    this.#serverCert = { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    if (o.yaml !== undefined) this.setConfig(o.yaml);
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<this> {
    const server = createServer({ ...this.#serverCert, ca: this.ca.bundlePem, requestCert: true, rejectUnauthorized: false }, (req, res) => this.#handle(req, res));
    server.on('secureConnection', (s: TLSSocket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#sweep = setInterval(() => this.#expire(), 200);
    return this;
  }

  /** Goes away at once: listener closed, every connection (blocking queries included) cut. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    clearInterval(this.#sweep);
    const closed = new Promise((resolve) => server.close(resolve));
    for (const s of this.#sockets) s.destroy();
    this.#waiters.clear();
    await closed;
  }

  /** Comes back on the same port; `empty` forgets every registration (a daemon without a store). */
  async restart(o: { empty?: boolean } = {}): Promise<void> {
    await this.stop();
    if (o.empty) this.#services.clear();
    await this.start();
  }

  setConfig(yaml: string): number {
    this.#config = { version: ++this.#clock, yaml };
    this.#wake();
    return this.#config.version;
  }

  instances(service: string): RegisteredInstance[] {
    return [...(this.#services.get(service)?.instances.values() ?? [])].map((e) => e.instance);
  }

  /** Registers an instance as a workload would (no lease renewal: `leaseSeconds` long, default 300). */
  register(service: string, address: string, o: { labels?: Record<string, string>; leaseSeconds?: number } = {}): void {
    this.#put(service, address, { labels: o.labels ?? {}, leaseSeconds: o.leaseSeconds ?? 300 });
  }

  deregister(service: string, address: string): void {
    const s = this.#services.get(service);
    if (s?.instances.delete(address)) this.#changed(s);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x');
    const clientCert = Boolean((req.socket as TLSSocket).getPeerCertificate?.()?.raw);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const wantVersion = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : undefined;
    const waitMs = Math.min(30_000, parseWait(url.searchParams.get('wait')));
    if (req.method === 'GET' && url.pathname === '/v1/config') {
      if (!this.#config) return json(res, 404, { error: { code: 'MESH_ERR_CONFIG_INVALID', message: 'no configuration applied' } });
      return this.#block(res, wantVersion, waitMs, () => this.#config!.version, () => ({ ...this.#config!, appliedAt: Date.now() }));
    }
    if (parts[0] === 'v1' && parts[1] === 'registry' && parts[2] === 'services' && parts[3]) {
      const service = parts[3];
      if (req.method === 'GET' && parts.length === 4) {
        const state = () => this.#services.get(service);
        return this.#block(res, wantVersion, waitMs, () => state()?.version ?? 0, () => ({ service, version: state()?.version ?? 0, instances: this.instances(service) }));
      }
      if (parts[4] === 'instances' && parts[5]) {
        const address = parts[5];
        if (req.method === 'DELETE') {
          this.writes.push({ method: 'DELETE', service, address, clientCert });
          this.deregister(service, address);
          res.statusCode = 204;
          return void res.end();
        }
        if (req.method === 'PUT') {
          return void readJson(req).then((body) => {
            const b = (body ?? {}) as RegisterInstanceBody;
            this.writes.push({ method: 'PUT', service, address, body: b, clientCert });
            const version = this.#put(service, address, b);
            json(res, 200, { leaseSeconds: b.leaseSeconds ?? LEASE_DEFAULT_SECONDS, version });
          });
        }
      }
    }
    if (req.method === 'POST' && url.pathname === '/v1/identity/certificates') {
      return void readJson(req).then((body) => {
        const b = body as { service: string; csr: string; ttlSeconds: number };
        try {
          const certificate = this.ca.signCsr(b.csr, { expectedSpiffeId: `spiffe://${this.trustDomain}/svc/${b.service}`, ttl: b.ttlSeconds * 1000 });
          this.issued++;
          json(res, 200, { certificate, bundle: this.ca.bundlePem });
        } catch (err) {
          json(res, 400, { error: { code: 'MESH_ERR_IDENTITY', message: (err as Error).message } });
        }
      });
    }
    json(res, 404, { error: { code: 'MESH_ERR_BAD_REQUEST', message: `no route ${req.method} ${url.pathname}` } });
  }

  #put(service: string, address: string, b: RegisterInstanceBody): number {
    let s = this.#services.get(service);
    if (!s) this.#services.set(service, (s = { version: 0, instances: new Map() }));
    const labels = { ...(b.labels ?? {}), ...(b.version !== undefined && { version: b.version }) };
    const had = s.instances.get(address);
    const instance: RegisteredInstance = { service, address, labels, meshed: b.meshed ?? true, protocols: b.protocols ?? ['http/1.1'], registeredAt: had?.instance.registeredAt ?? Date.now() };
    s.instances.set(address, { instance, expiresAt: Date.now() + (b.leaseSeconds ?? LEASE_DEFAULT_SECONDS) * 1000 });
    if (!had || JSON.stringify(had.instance.labels) !== JSON.stringify(labels)) this.#changed(s);
    return s.version;
  }

  #expire(): void {
    const now = Date.now();
    for (const s of this.#services.values()) {
      let changed = false;
      for (const [address, e] of s.instances) if (e.expiresAt < now) changed = s.instances.delete(address) || changed;
      if (changed) this.#changed(s);
    }
  }

  #changed(s: ServiceState): void {
    s.version = ++this.#clock;
    this.#wake();
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  #block(res: ServerResponse, want: number | undefined, waitMs: number, version: () => number, body: () => unknown): void {
    const answer = () => {
      res.setHeader(CONTROL_VERSION_HEADER, String(version()));
      json(res, 200, body());
    };
    if (want === undefined || want !== version()) return answer();
    const check = () => {
      if (res.writableEnded || res.destroyed) return;
      if (version() !== want) {
        clearTimeout(timer);
        answer();
      } else this.#waiters.add(check);
    };
    const timer = setTimeout(() => {
      this.#waiters.delete(check);
      if (!res.writableEnded && !res.destroyed) answer();
    }, waitMs);
    res.on('close', () => {
      clearTimeout(timer);
      this.#waiters.delete(check);
    });
    this.#waiters.add(check);
  }
}

function parseWait(text: string | null): number {
  const m = /^(\d+)(ms|s)$/.exec(text ?? '');
  if (!m) return 30_000;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
