import { MeshError } from '../../core/index.js';

/** DER bytes as PEM with 64-column base64 lines (what openssl writes and expects). */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first `label` block of `pem`; a clear error when there is none. */
export function fromPem(label: string, pem: string, what = label.toLowerCase()): Buffer {
  if (typeof pem !== 'string') throw new MeshError('MESH_ERR_IDENTITY', `${what}: expected PEM text, got ${typeof pem}`);
  const re = new RegExp(`-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END ${label}-----`);
  const m = re.exec(pem);
  if (!m) throw new MeshError('MESH_ERR_IDENTITY', `${what}: no "-----BEGIN ${label}-----" block found`);
  const der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) throw new MeshError('MESH_ERR_IDENTITY', `${what}: the PEM block is empty`);
  return der;
}

/** Every CERTIFICATE block of a bundle, each as its own PEM. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g)?.map((b) => (b.endsWith('\n') ? b : `${b}\n`)) ?? [];
}
