// The run's mTLS certificates, made once by the openssl CLI into a temp dir (what cert-manager
// or SPIRE would write for `identity.mode: files`) and removed when the run ends: an EC P-256 CA,
// the server workload `orders` (its SPIFFE ID, and IP:127.0.0.1 so that raw clients verify the
// address they dial as they normally would) and the client workload `checkout`.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TRUST_DOMAIN = 'shop.local';
export const SERVER_SERVICE = 'orders';
export const CLIENT_SERVICE = 'checkout';
export const spiffeIdOf = (service) => `spiffe://${TRUST_DOMAIN}/svc/${service}`;

export function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The files in a PKI dir, for the children that are handed only the dir. */
export function pkiFiles(dir) {
  return {
    caFile: join(dir, 'ca.crt'),
    server: { certFile: join(dir, `${SERVER_SERVICE}.crt`), keyFile: join(dir, `${SERVER_SERVICE}.key`) },
    client: { certFile: join(dir, `${CLIENT_SERVICE}.crt`), keyFile: join(dir, `${CLIENT_SERVICE}.key`) },
  };
}

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function leaf(dir, name, sans) {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  // Files mode refuses a key that other users can read.
  chmodSync(key, 0o600);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr], dir);
  writeFileSync(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth', `subjectAltName=${sans.join(',')}`].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(name === SERVER_SERVICE ? 1 : 2), '-sha256', '-days', '2', '-extfile', ext, '-out', join(dir, `${name}.crt`)], dir);
}

/** Makes the CA and both leaves; `remove()` deletes the dir (also safe in an 'exit' handler). */
export function makePki() {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-bench-pki-'));
  try {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
    openssl(['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', '/CN=inmesh bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'], dir);
    leaf(dir, SERVER_SERVICE, [`URI:${spiffeIdOf(SERVER_SERVICE)}`, 'IP:127.0.0.1']);
    leaf(dir, CLIENT_SERVICE, [`URI:${spiffeIdOf(CLIENT_SERVICE)}`]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the bench certificates: ${err?.stderr?.toString().trim() || err.message}`);
  }
  return { dir, files: pkiFiles(dir), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
