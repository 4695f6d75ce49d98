import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { MeshError } from '../core/index.js';
import { checkPeer } from './peer-identity.js';
import { serviceSpiffeId } from './spiffe-id.js';
import { splitPemCertificates } from './x509/pem.js';

/** A workload's TLS material, as PEM. */
export interface Credentials {
  /** The leaf first, then any intermediates up to (not including) a CA of the bundle. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Every CA this workload trusts: during a CA rotation, the old and the new one. */
  readonly bundlePem: string;
}

/** The certificates of a PEM text, in order. */
function pemCertificates(pem: string): X509Certificate[] {
  return splitPemCertificates(pem).map((block) => new X509Certificate(block));
}

/**
 * This workload's identity: its SPIFFE ID, its current credentials and the TLS contexts made from
 * them. Servers and clients read the contexts when a connection starts, so a rotation (`update`)
 * swaps them for every new handshake at once, and no pool, server or connection is rebuilt;
 * connections already open keep the certificate they were made with.
 *
 * @example
 * const id = new WorkloadIdentity('shop.local', 'orders', creds);
 * tls.connect({ secureContext: id.clientContext, ... });
 * id.onChange(() => tlsServer.setSecureContext(id.serverOptions));
 */
export class WorkloadIdentity {
  readonly trustDomain: string;
  readonly spiffeId: string;
  #creds!: Credentials;
  #clientContext!: SecureContext;
  #notAfter = 0;
  #listeners: Array<() => void> = [];

  constructor(trustDomain: string, service: string, creds: Credentials) {
    this.trustDomain = trustDomain;
    this.spiffeId = serviceSpiffeId(trustDomain, service).toString();
    this.update(creds);
  }

  get credentials(): Credentials {
    return this.#creds;
  }

  /** For `tls.Server#setSecureContext` and `tls.createServer`. */
  get serverOptions(): SecureContextOptions {
    return { cert: this.#creds.certPem, key: this.#creds.keyPem, ca: this.#creds.bundlePem };
  }

  /** The context of new outbound connections. */
  get clientContext(): SecureContext {
    return this.#clientContext;
  }

  /** Epoch ms at which the current certificate expires. */
  get notAfter(): number {
    return this.#notAfter;
  }

  /**
   * Puts new credentials in force, after checking them: a certificate for another identity, a
   * key that is not its own or a chain the bundle does not verify would break every handshake,
   * so it is refused and the old credentials stay.
   */
  update(creds: Credentials): void {
    const notAfter = checkCredentials(creds, this.trustDomain, this.spiffeId);
    this.#clientContext = createSecureContext({ cert: creds.certPem, key: creds.keyPem, ca: creds.bundlePem });
    this.#creds = creds;
    this.#notAfter = notAfter;
    for (const fn of this.#listeners) fn();
  }

  /** Calls `fn` after every `update`. */
  onChange(fn: () => void): () => void {
    this.#listeners.push(fn);
    return () => {
      this.#listeners = this.#listeners.filter((f) => f !== fn);
    };
  }
}

function refuse(message: string, cause?: unknown): never {
  throw new MeshError('MESH_ERR_IDENTITY', `credentials refused: ${message}`, cause === undefined ? {} : { cause });
}

/** Refuses credentials that would break handshakes; returns the leaf's notAfter (epoch ms). */
function checkCredentials(creds: Credentials, trustDomain: string, spiffeId: string): number {
  let chain: X509Certificate[];
  let bundle: X509Certificate[];
  try {
    chain = pemCertificates(creds.certPem);
    bundle = pemCertificates(creds.bundlePem);
  } catch (err) {
    refuse('a certificate does not parse', err);
  }
  const leaf = chain[0];
  if (!leaf) refuse('no certificate in the certificate PEM');
  if (bundle.length === 0) refuse('no CA certificate in the trust bundle');
  let key;
  try {
    key = createPrivateKey(creds.keyPem);
  } catch (err) {
    refuse('the private key does not parse', err);
  }
  if (!leaf.checkPrivateKey(key)) refuse('the private key is not the certificate\'s');
  const peer = checkPeer(leaf, trustDomain, spiffeId);
  if (!peer.ok) refuse(peer.detail);
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) refuse(`certificate ${i + 1} of the chain is not issued by the next`);
  }
  const top = chain[chain.length - 1]!;
  if (!bundle.some((ca) => top.checkIssued(ca) && top.verify(ca.publicKey))) refuse('no CA of the trust bundle issued the certificate');
  return Date.parse(leaf.validTo);
}
