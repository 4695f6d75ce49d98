import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer } from '../../helpers/http-server.js';

const TEN_MB = 10 * 1024 * 1024;
let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);


function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A body produced in 64 KiB chunks as it is read, never held whole by the sender. */
function chunked(data: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
}

describe('streaming bodies through the mesh', () => {
  it('streams a 10 MB request body up and a 10 MB response body down, intact', async () => {
    const payload = randomBytes(TEN_MB);
    const server = await startHttpServer((req, res) => {
      // Answer with a digest of what arrived, then stream the payload back in chunks.
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
      });
      req.on('end', () => {
        res.writeHead(200, { 'x-received-sha256': hash.digest('hex'), 'x-received-bytes': String(size) });
        chunked(payload).pipe(res);
      });
    });
    open.add(server);
    mesh = await createMesh({ service: 'checkout', config: { services: { blobs: { endpoints: [server.address], tls: 'none' } } } });

    const res = await mesh.request('http://blobs/upload', { method: 'PUT', body: chunked(payload) });
    expect(res.headers['x-received-bytes']).toBe(String(TEN_MB));
    expect(res.headers['x-received-sha256']).toBe(sha(payload));
    const chunks: Buffer[] = [];
    let pieces = 0;
    for await (const c of res.body) {
      chunks.push(c as Buffer);
      pieces++;
    }
    const body = Buffer.concat(chunks);
    expect(body.length).toBe(TEN_MB);
    expect(sha(body)).toBe(sha(payload));
    expect(pieces).toBeGreaterThan(10);

    const viaFetch = await mesh.fetch('http://blobs/upload', { method: 'PUT', body: chunked(payload) as never, duplex: 'half' } as never);
    const fetched = Buffer.from(await viaFetch.arrayBuffer());
    expect(viaFetch.headers.get('x-received-sha256')).toBe(sha(payload));
    expect(sha(fetched)).toBe(sha(payload));
  });
});
