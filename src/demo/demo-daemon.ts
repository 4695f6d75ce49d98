import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { ControlPaths, type ConfigAppliedBody, type CreateTokenBody, type ServiceInstancesBody, type TokenBody } from '../experimental.js';

/** `inmesh control` as the demo runs it: a child process of its own, with the demo's temp dir as its store. */
export interface DemoDaemon {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The daemon's CA bundle (`<store>/ca.pem`): what workloads trust before they have a certificate. */
  readonly caFile: string;
  /** The file the daemon was started with: mesh.yaml, mesh-wide. */
  readonly configFile: string;
  /** A multi-use join token for `service` (what `inmesh token create --multi` prints). */
  joinToken(service: string): Promise<string>;
  /** Puts a mesh.yaml text in force (what `inmesh apply -f` does); the new version. */
  apply(yaml: string): Promise<number>;
  /** The registry's instances of `service`. */
  instances(service: string): Promise<ServiceInstancesBody['instances']>;
  /** SIGTERM, then the exit (SIGKILL if it takes over 3 s). */
  close(): Promise<void>;
}

/** The daemon's CLI, found relative to this file in src/ or dist/, as the examples are. */
const BIN = new URL('../../bin/inmesh.js', import.meta.url);
/** Longer than a cold start on a busy machine, short enough that a daemon that cannot start fails the demo quickly. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3_000;
/** What is kept of the daemon's log lines, to say why it failed. */
const LOG_TAIL_LINES = 20;

/** A port free on 127.0.0.1 now: the daemon's mesh.yaml names its URL before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `inmesh control --config <dir>/mesh.yaml --listen 127.0.0.1:<free port> --store
 * file:<dir>/control --admin-token-file <dir>/admin.token`, as an operator would, and waits for its
 * "listening on" line. `meshYaml` gets the daemon's URL. The admin token is the demo's own (random,
 * 0600), so that it is known without reading the daemon's log.
 */
export async function startDemoDaemon(dir: string, meshYaml: (url: string) => string): Promise<DemoDaemon> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const listen = `127.0.0.1:${await freePort()}`;
  const configFile = join(dir, 'mesh.yaml');
  const tokenFile = join(dir, 'admin.token');
  const storeDir = join(dir, 'control');
  const adminToken = randomBytes(24).toString('hex');
  writeFileSync(configFile, meshYaml(`https://${listen}`));
  writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
  const args = ['control', '--config', configFile, '--listen', listen, '--store', `file:${storeDir}`, '--admin-token-file', tokenFile];
  const child = spawn(process.execPath, [fileURLToPath(BIN), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
  };
  child.stderr!.on('data', keep);
  let url: string;
  try {
    url = await listeningUrl(child, exited, keep, () => tail.join('\n'));
  } catch (e) {
    await stop(child, exited);
    throw e;
  }
  const caFile = join(storeDir, 'ca.pem');
  const agent = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: string, contentType?: string): Promise<unknown> => {
    const res = await request(new URL(path, url), { method, dispatcher: agent, headers: { authorization: `Bearer ${adminToken}`, ...(contentType && { 'content-type': contentType }) }, body });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`the control daemon answered ${res.statusCode} to ${method} ${path}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  return {
    url,
    caFile,
    configFile,
    async joinToken(service) {
      const made = await call('POST', ControlPaths.tokens, JSON.stringify({ service, ttlSeconds: 600, singleUse: false } satisfies CreateTokenBody), 'application/json');
      return (made as TokenBody).token;
    },
    async apply(yaml) {
      return ((await call('PUT', ControlPaths.config, yaml, 'application/yaml')) as ConfigAppliedBody).version;
    },
    async instances(service) {
      return ((await call('GET', ControlPaths.service(service))) as ServiceInstancesBody).instances;
    },
    async close() {
      await agent.close();
      await stop(child, exited);
    },
  };
}

function listeningUrl(child: ChildProcess, exited: Promise<void>, keep: (chunk: Buffer) => void, log: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`inmesh control did not start within ${START_TIMEOUT_MS / 1000} s:\n${log()}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      seen += chunk.toString('utf8');
      const m = /listening on (https:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`inmesh control exited at start (code ${child.exitCode}):\n${log()}`));
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
