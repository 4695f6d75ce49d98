import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates made by the openssl CLI, not by inmesh: what cert-manager, SPIRE or Vault would
 * write for `identity.mode: files`, and a foreign CA for the attacks.
 */
export interface OpensslCa {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  /** A leaf signed by this CA; `uris` become URI SANs (none, one or several). */
  leaf(name: string, o?: LeafOptions): OpensslLeaf;
  remove(): void;
}

export interface LeafOptions {
  readonly uris?: readonly string[];
  readonly ips?: readonly string[];
  /** Validity in days from now (default 1). */
  readonly days?: number;
  /** An explicit window, `YYYYMMDDHHMMSSZ` each. */
  readonly notBefore?: string;
  readonly notAfter?: string;
}

export interface OpensslLeaf {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function opensslCa(name = 'test-ca'): OpensslCa {
  const dir = mkdtempSync(join(tmpdir(), 'inmesh-pki-'));
  const keyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.crt');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile], dir);
  openssl(['req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', '30', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', certFile], dir);
  let serial = 1;
  return {
    dir,
    certFile,
    keyFile,
    certPem: readFileSync(certFile, 'utf8'),
    leaf(leafName, o = {}) {
      const key = join(dir, `${leafName}.key`);
      const csr = join(dir, `${leafName}.csr`);
      const crt = join(dir, `${leafName}.crt`);
      const ext = join(dir, `${leafName}.ext`);
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
      openssl(['req', '-new', '-key', key, '-subj', `/CN=${leafName}`, '-out', csr], dir);
      const sans = [...(o.uris ?? []).map((u) => `URI:${u}`), ...(o.ips ?? []).map((ip) => `IP:${ip}`)];
      writeFileSync(
        ext,
        ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth', ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : [])].join('\n'),
      );
      // `openssl ca` takes explicit dates; `x509 -req` only days, so a window goes through `ca`.
      if (o.notBefore || o.notAfter) {
        writeFileSync(join(dir, 'index.txt'), '');
        writeFileSync(join(dir, 'serial'), '1000\n');
        writeFileSync(
          join(dir, 'ca.cnf'),
          `[ca]\ndefault_ca=d\n[d]\ndatabase=${join(dir, 'index.txt')}\nnew_certs_dir=${dir}\ncertificate=${certFile}\nprivate_key=${keyFile}\ndefault_md=sha256\nserial=${join(dir, 'serial')}\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`,
        );
        openssl(['ca', '-batch', '-config', join(dir, 'ca.cnf'), '-in', csr, '-out', crt, '-extfile', ext, '-notext', '-rand_serial', '-startdate', o.notBefore ?? '20200101000000Z', '-enddate', o.notAfter ?? '20400101000000Z'], dir);
      } else {
        openssl(['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', keyFile, '-set_serial', String(serial++), '-sha256', '-days', String(o.days ?? 1), '-extfile', ext, '-out', crt], dir);
      }
      return { certFile: crt, keyFile: key, certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
