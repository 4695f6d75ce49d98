import { describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer } from '../../helpers/http-server.js';

const open = closeAfterEach();

describe('mesh.fetch and the global fetch classes', () => {
  it('returns a global Response and takes a global Request, with its method, headers and body', async () => {
    const backend = open.add(
      await startHttpServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => res.end(JSON.stringify({ method: req.method, path: req.url, tag: req.headers['x-tag'], body })));
      }),
    );
    const mesh = open.add(await createMesh({ service: 'checkout', watch: false, config: { services: { orders: { endpoints: [backend.address], tls: 'none' } } } }));
    await mesh.ready();

    const res = await mesh.fetch(new Request('http://orders/api/orders', { method: 'POST', headers: { 'x-tag': 'a' }, body: 'hello' }));
    expect(res).toBeInstanceOf(Response);
    expect(res.headers).toBeInstanceOf(Headers);
    expect(await res.json()).toEqual({ method: 'POST', path: '/api/orders', tag: 'a', body: 'hello' });
    expect(mesh.stats().outbound.find((s) => s.service === 'orders')!.requests).toBe(1);
  });
});
