import { MeshError } from '../../core/index.js';
import { describeCertificate, type CertificateDescription } from '../x509/certificate-info.js';
import { splitPemCertificates } from '../x509/pem.js';

/**
 * Every certificate of a PEM text, described, in file order (a chain reads leaf first).
 * Refuses text with no certificate, or one that does not parse, so a key or a CSR passed by
 * mistake is named as such rather than printed as nothing.
 *
 * @example
 * for (const c of inspectCertificates(readFileSync('orders.crt', 'utf8'))) console.log(c.spiffeIds, c.notAfter);
 */
export function inspectCertificates(pem: string): CertificateDescription[] {
  const blocks = splitPemCertificates(pem);
  if (blocks.length === 0) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
    throw new MeshError('MESH_ERR_IDENTITY', label ? `no certificate here: the PEM block is a ${label}` : 'no PEM certificate here (no -----BEGIN CERTIFICATE----- block)');
  }
  return blocks.map((block, i) => {
    try {
      return describeCertificate(block);
    } catch (e) {
      throw new MeshError('MESH_ERR_IDENTITY', `certificate ${i + 1} does not parse: ${(e as Error).message}`, { cause: e });
    }
  });
}
