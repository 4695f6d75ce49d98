import { execFile } from 'node:child_process';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateAuthority, generateKeyPair, spiffeIdsOf } from '../../../src/identity/index.js';
import { opensslWorkspace } from './openssl.js';

const ws = opensslWorkspace();
const HOUR = 3_600_000;
const ca = CertificateAuthority.create({ trustDomain: 'shop.local', ttl: 24 * HOUR });

function identity(service: string) {
  const { publicKey, privateKey } = generateKeyPair();
  const cert = ca.issue({ publicKey, spiffeId: `spiffe://shop.local/svc/${service}`, ttl: HOUR, ipAddresses: ['127.0.0.1'] });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** curl, run without blocking this process's event loop (the server lives here). */
function curl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '5', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const server = https.createServer({ ...identity('orders'), ca: ca.bundlePem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
  res.end(`hello ${spiffeIdsOf((req.socket as TLSSocket).getPeerX509Certificate()!).join(',')}`);
});
afterAll(() => {
  server.close();
  ws.cleanup();
});

describe('a client outside the mesh (curl) with our certificates', () => {
  it('verifies the server by its IP SAN and is accepted with its own certificate', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const client = identity('checkout');
    const r = await curl('--cacert', ws.file('ca.pem', ca.bundlePem), '--cert', ws.file('c.pem', client.cert), '--key', ws.file('c.key', client.key), url);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello spiffe://shop.local/svc/checkout');
    const anonymous = await curl('--cacert', ws.file('ca.pem', ca.bundlePem), url);
    expect(anonymous.code).not.toBe(0);
  });
});
