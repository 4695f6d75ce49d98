import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, issueCertificate, spiffeIdsOf } from '../../../src/identity/index.js';

const HOUR = 3_600_000;

function makeCa(name: string) {
  const keys = generateKeyPair();
  const pem = issueCertificate({
    subjectPublicKey: keys.publicKey,
    subjectPrivateKey: keys.privateKey,
    issuer: 'self',
    subjectCommonName: `inmesh ${name} CA`,
    spiffeId: `spiffe://${name}`,
    isCa: true,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
  });
  const issuer = { certificate: new X509Certificate(pem), privateKey: keys.privateKey };
  const leaf = (service: string, from = -HOUR, to = HOUR) => {
    const k = generateKeyPair();
    const cert = issueCertificate({
      subjectPublicKey: k.publicKey,
      spiffeId: `spiffe://${name}/svc/${service}`,
      ipAddresses: ['127.0.0.1'],
      isCa: false,
      notBefore: new Date(Date.now() + from),
      notAfter: new Date(Date.now() + to),
      issuer,
    });
    return { cert, key: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
  };
  return { pem, leaf };
}

const shop = makeCa('shop.local');
const other = makeCa('other.local');

const toClose: Array<() => void> = [];
afterEach(() => {
  for (const close of toClose.splice(0)) close();
});

/**
 * A server that requires client certificates. With `rejectUnauthorized: false` it accepts
 * every client and records why verification failed: Node's strict server drops such a
 * client without saying why, so this is how a test reads the reason.
 */
async function startServer(identity: { cert: string; key: string }, rejectUnauthorized = true) {
  const server = tls.createServer({ ...identity, ca: shop.pem, requestCert: true, rejectUnauthorized });
  const peers: string[][] = [];
  const authorizationErrors: string[] = [];
  server.on('secureConnection', (s) => {
    if (!s.authorized) {
      authorizationErrors.push(String(s.authorizationError));
      s.destroy();
      return;
    }
    peers.push(spiffeIdsOf(s.getPeerX509Certificate()!));
    s.end('hello');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  toClose.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, peers, authorizationErrors };
}

/** Connects with `identity`, and resolves with what was read or the error that ended the attempt. */
function connect(port: number, identity: { cert: string; key: string }): Promise<{ data?: string; error?: NodeJS.ErrnoException; peer?: string[] }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...identity, ca: shop.pem });
    toClose.push(() => socket.destroy());
    let data = '';
    let peer: string[] | undefined;
    const timer = setTimeout(() => resolve({ error: Object.assign(new Error('timed out'), { code: 'TIMEOUT' }) }), 5000);
    socket.on('secureConnect', () => {
      peer = spiffeIdsOf(socket.getPeerX509Certificate()!);
    });
    socket.on('data', (d) => (data += d));
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error });
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve({ data, peer });
    });
  });
}

describe('mutual TLS with certificates from our CA', () => {
  it('completes a handshake both ways and each side sees the other SPIFFE ID', async () => {
    const server = await startServer(shop.leaf('orders'));
    const r = await connect(server.port, shop.leaf('checkout'));
    expect(r.error).toBeUndefined();
    expect(r.data).toBe('hello');
    expect(r.peer).toEqual(['spiffe://shop.local/svc/orders']);
    expect(server.peers).toEqual([['spiffe://shop.local/svc/checkout']]);
  });

  it('refuses a client certificate from another CA', async () => {
    const server = await startServer(shop.leaf('orders'));
    const client = other.leaf('checkout');
    const r = await connect(server.port, client);
    expect(r.data ?? '').not.toBe('hello');
    expect(server.peers).toEqual([]);
    const probe = await startServer(shop.leaf('orders'), false);
    await connect(probe.port, client);
    await expect.poll(() => probe.authorizationErrors).toEqual([expect.stringMatching(/UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)/)]);
  });

  it('refuses a server certificate from another CA', async () => {
    const server = await startServer(other.leaf('orders'));
    const r = await connect(server.port, shop.leaf('checkout'));
    expect(r.error?.code).toMatch(/UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)/);
  });

  it('refuses an expired client certificate', async () => {
    const server = await startServer(shop.leaf('orders'));
    const client = shop.leaf('checkout', -2 * HOUR, -HOUR);
    const r = await connect(server.port, client);
    expect(r.data ?? '').not.toBe('hello');
    expect(server.peers).toEqual([]);
    const probe = await startServer(shop.leaf('orders'), false);
    await connect(probe.port, client);
    await expect.poll(() => probe.authorizationErrors).toEqual(['CERT_HAS_EXPIRED']);
  });

  it('refuses an expired server certificate', async () => {
    const server = await startServer(shop.leaf('orders', -2 * HOUR, -HOUR));
    const r = await connect(server.port, shop.leaf('checkout'));
    expect(r.error?.code).toBe('CERT_HAS_EXPIRED');
  });
});
