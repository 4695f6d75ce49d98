import { open, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MeshError } from '../../core/index.js';
import { loadOrCreateDevCa } from '../dev-ca-store.js';
import { serviceSpiffeId } from '../spiffe-id.js';
import { describeCertificate } from '../x509/certificate-info.js';
import { generateKeyPair } from '../x509/keys.js';

export interface IssueDevCertificateOptions {
  readonly service: string;
  readonly trustDomain: string;
  /** The dev CA's directory; created with its CA when absent, as dev mode does. */
  readonly caDir: string;
  /** Where `<service>.crt`, `<service>.key` and `ca.crt` go. */
  readonly outDir: string;
  readonly ttl: number;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Replace files that exist; without it an existing file is refused and nothing is written. */
  readonly force?: boolean;
}

export interface IssuedDevCertificate {
  readonly spiffeId: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly notAfter: Date;
}

/**
 * Loopback SANs by default, so curl and other clients outside the mesh can verify a local
 * server by address, as dev mode's own leaves do.
 */
const LOOPBACK_DNS = ['localhost'];
const LOOPBACK_IPS = ['127.0.0.1', '::1'];

const exists = (path: string) => stat(path).then(() => true, () => false);

async function writeFileWithMode(path: string, text: string, mode: number, force: boolean): Promise<void> {
  const file = await open(path, force ? 'w' : 'wx', mode);
  try {
    // open() honours mode only for a new file: an overwritten key must not keep a looser mode.
    await file.chmod(mode);
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

/**
 * A leaf of the dev CA for a service, with a fresh key, written as files: what a client outside
 * Node (curl --cert) or `identity.mode: files` needs. The key file is 0600.
 *
 * @example
 * const r = await issueDevCertificate({ service: 'orders', trustDomain: 'shop.local', caDir: '.inmesh', outDir: '.', ttl: 86_400_000 });
 * // r.certFile = ./orders.crt, r.keyFile = ./orders.key, r.caFile = ./ca.crt
 */
export async function issueDevCertificate(o: IssueDevCertificateOptions): Promise<IssuedDevCertificate> {
  const spiffeId = serviceSpiffeId(o.trustDomain, o.service).toString();
  const outDir = resolve(o.outDir);
  const certFile = join(outDir, `${o.service}.crt`);
  const keyFile = join(outDir, `${o.service}.key`);
  const caFile = join(outDir, 'ca.crt');
  if (resolve(o.caDir) === outDir) throw new MeshError('MESH_ERR_IDENTITY', `the output directory ${outDir} is the dev CA's own; its ca.crt must not be replaced`);
  if (!o.force) {
    const taken = [];
    for (const f of [certFile, keyFile, caFile]) if (await exists(f)) taken.push(f);
    if (taken.length > 0) throw new MeshError('MESH_ERR_IDENTITY', `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; remove, choose another output directory, or use --force`);
  }
  const ca = await loadOrCreateDevCa(resolve(o.caDir), o.trustDomain);
  const { publicKey, privateKey } = generateKeyPair();
  const certPem = ca.issue({
    publicKey,
    spiffeId,
    ttl: o.ttl,
    dnsNames: [...new Set([...LOOPBACK_DNS, ...(o.dnsNames ?? [])])],
    ipAddresses: [...new Set([...LOOPBACK_IPS, ...(o.ipAddresses ?? [])])],
  });
  await mkdir(outDir, { recursive: true });
  const force = o.force ?? false;
  await writeFileWithMode(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600, force);
  await writeFileWithMode(certFile, certPem, 0o644, force);
  await writeFileWithMode(caFile, ca.bundlePem, 0o644, force);
  return { spiffeId, certFile, keyFile, caFile, notAfter: describeCertificate(certPem).notAfter };
}
