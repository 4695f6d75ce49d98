import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Agent, request } from 'undici';
import { startControlDaemon, type ControlDaemon, type ControlDaemonOptions } from '../../src/control/control-daemon.js';
import { createCsr, generateKeyPair } from '../../src/identity/index.js';
import { RecordingLogger } from './recording-logger.js';

export const MESH_YAML = `mesh: shop
trustDomain: shop.local
services:
  orders:
    endpoints: ["127.0.0.1:8081"]
`;

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

export interface CallOptions {
  readonly body?: string | Buffer | object;
  readonly headers?: Record<string, string>;
  /** A client certificate (mTLS) to present. */
  readonly identity?: { readonly certPem: string; readonly keyPem: string };
  readonly admin?: boolean;
}

export interface TestDaemon {
  readonly daemon: ControlDaemon;
  readonly dir: string;
  readonly configFile: string;
  readonly log: RecordingLogger;
  readonly adminToken: string;
  call(method: string, path: string, o?: CallOptions): Promise<Reply>;
  /** A workload identity: a key here, a certificate from the daemon for `service` with a join token. */
  enrol(service: string): Promise<{ certPem: string; keyPem: string }>;
}

const dirs: string[] = [];
const opened: ControlDaemon[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  while (agents.length) await agents.pop()!.close();
});

/** A fresh directory under the system's temp dir, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-control-'));
  dirs.push(dir);
  return dir;
}

process.once('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An HTTPS call to `url` trusting `bundle`, with an optional client certificate. */
export async function callDaemon(url: string, bundle: string, method: string, path: string, o: CallOptions & { token?: string } = {}): Promise<Reply> {
  const agent = new Agent({ connect: { ca: bundle, ...(o.identity && { cert: o.identity.certPem, key: o.identity.keyPem }) } });
  agents.push(agent);
  const body = o.body === undefined ? undefined : typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...(typeof o.body === 'object' && !Buffer.isBuffer(o.body) && { 'content-type': 'application/json' }), ...(o.token !== undefined && { authorization: `Bearer ${o.token}` }), ...o.headers };
  const res = await request(new URL(path, url), { method: method as 'GET', dispatcher: agent, headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** Starts a daemon on 127.0.0.1:0 with a memory store (unless told otherwise) and a mesh.yaml in a temp dir. */
export async function startTestDaemon(o: Partial<ControlDaemonOptions> & { yaml?: string; dir?: string; /** The admin token of an earlier start on the same store. */ adminToken?: string } = {}): Promise<TestDaemon> {
  const dir = o.dir ?? tempDir();
  const configFile = o.configFile ?? join(dir, 'mesh.yaml');
  if (o.configFile === undefined) writeFileSync(configFile, o.yaml ?? MESH_YAML);
  const log = new RecordingLogger();
  let announced = '';
  const { yaml: _yaml, dir: _dir, adminToken: _token, ...options } = o;
  const daemon = await startControlDaemon({ listen: '127.0.0.1:0', store: 'memory', log, announce: (l) => (announced = l), ...options, configFile });
  opened.push(daemon);
  const adminToken = daemon.adminToken ?? o.adminToken ?? /: (\S+)$/.exec(announced)?.[1] ?? '';
  const call = (method: string, path: string, c: CallOptions = {}) => callDaemon(daemon.url, daemon.bundlePem, method, path, { ...c, ...(c.admin && { token: adminToken }) });
  return {
    daemon,
    dir,
    configFile,
    log,
    adminToken,
    call,
    async enrol(service) {
      const token = (await call('POST', '/v1/tokens', { admin: true, body: { service, ttlSeconds: 600 } })).json.token as string;
      const { privateKey } = generateKeyPair();
      const csr = createCsr({ privateKey, spiffeId: `spiffe://shop.local/svc/${service}` });
      const r = await callDaemon(daemon.url, daemon.bundlePem, 'POST', '/v1/identity/certificates', { token, body: { service, csr, ttlSeconds: 3600 } });
      if (r.status !== 200) throw new Error(`enrol ${service}: ${r.status} ${r.text}`);
      return { certPem: r.json.certificate as string, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    },
  };
}

export function csrFor(spiffeId: string): { csr: string; keyPem: string } {
  const { privateKey } = generateKeyPair();
  return { csr: createCsr({ privateKey, spiffeId }), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
