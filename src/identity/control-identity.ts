import { Agent, request } from 'undici';
import { MeshError } from '../core/index.js';
import type { Credentials } from './workload-identity.js';
import { createCsr } from './x509/csr.js';
import { generateKeyPair } from './x509/keys.js';

/** The control daemon's certificate endpoint: a CSR in, the signed chain and the trust bundle out. */
export const CERTIFICATE_PATH = '/v1/identity/certificates';

/** What a workload sends: its request, and how long it would like the certificate to live. */
export interface CertificateRequestBody {
  readonly service: string;
  readonly csr: string;
  readonly ttlSeconds: number;
}

export interface CertificateResponseBody {
  /** The leaf first, then any intermediates. */
  readonly certificate: string;
  readonly bundle: string;
}

export interface ControlIdentityOptions {
  /** `control.url` of mesh.yaml. */
  readonly url: string;
  readonly service: string;
  readonly spiffeId: string;
  readonly ttl: number;
  /** The join token that proves this workload may have the identity (first issuance). */
  readonly token: string | undefined;
  /** The CAs to trust for the daemon's own TLS before this workload has a bundle of its own. */
  readonly bootstrapBundle: string | undefined;
  /** Bounds one exchange with the daemon. */
  readonly timeoutMs: number;
}

/** A response body is read up to this size: a certificate chain and bundle are a few KB. */
const MAX_RESPONSE_BYTES = 256 * 1024;

function refused(message: string, cause?: unknown): MeshError {
  return new MeshError('MESH_ERR_IDENTITY', `control identity: ${message}`, cause === undefined ? {} : { cause });
}

/**
 * The workload side of `identity.mode: control`: makes a key pair here (the private key never
 * leaves the process), sends a CSR to the control daemon with the join token, and takes back the
 * certificate and the trust bundle. A renewal presents the current certificate over mTLS as well,
 * so a daemon may accept it without the token. `current` is the credentials in force, if any.
 */
export async function requestControlCredentials(o: ControlIdentityOptions, current?: Credentials): Promise<Credentials> {
  const { privateKey } = generateKeyPair();
  const body: CertificateRequestBody = { service: o.service, csr: createCsr({ privateKey, spiffeId: o.spiffeId }), ttlSeconds: Math.ceil(o.ttl / 1000) };
  const https = o.url.startsWith('https:');
  const ca = current?.bundlePem ?? o.bootstrapBundle;
  const agent = new Agent({
    connect: {
      timeout: o.timeoutMs,
      ...(https && ca !== undefined && { ca }),
      ...(https && current && { cert: current.certPem, key: current.keyPem }),
    },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });
  try {
    const res = await request(new URL(CERTIFICATE_PATH, o.url), {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(o.token !== undefined && { authorization: `Bearer ${o.token}` }) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs),
    }).catch((err: unknown) => {
      throw refused(`cannot reach the control daemon at ${o.url}: ${(err as Error).message}`, err);
    });
    const text = await readBounded(res.body);
    if (res.statusCode !== 200) {
      const reason = /"message"\s*:\s*"([^"]{0,300})/.exec(text)?.[1] ?? text.slice(0, 200);
      throw refused(`the control daemon refused the certificate request (${res.statusCode}): ${reason}`);
    }
    let parsed: Partial<CertificateResponseBody>;
    try {
      parsed = JSON.parse(text) as Partial<CertificateResponseBody>;
    } catch (err) {
      throw refused('the control daemon answered with something that is not JSON', err);
    }
    if (typeof parsed.certificate !== 'string' || typeof parsed.bundle !== 'string') throw refused('the answer lacks certificate or bundle');
    return { certPem: parsed.certificate, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, bundlePem: parsed.bundle };
  } finally {
    void agent.close();
  }
}

async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) throw refused(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
