import { describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createMesh, isMeshError, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer } from '../../helpers/http-server.js';

let mesh: Mesh | undefined;
const open = closeAfterEach(() => mesh);

interface ClosingServer {
  readonly address: string;
  /** Requests answered. */
  answered: number;
  /** Requests that arrived on a kept-alive connection the server then closed without reading them. */
  dropped: number;
  close(): Promise<void>;
}

/**
 * An HTTP/1.1 server that answers one request per connection with `keep-alive` and closes the
 * connection as the next request arrives on it, as a server whose keep-alive timer fires just
 * then does: that request was never processed.
 */
async function closingKeepAliveServer(): Promise<ClosingServer> {
  const sockets = new Set<Socket>();
  const s: { answered: number; dropped: number } = { answered: 0, dropped: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let served = false;
    let head = '';
    socket.on('data', (chunk) => {
      if (served) {
        s.dropped++;
        socket.destroy();
        return;
      }
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      served = true;
      s.answered++;
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\nok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const closing = Object.assign(s, {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
  return open.add(closing);
}

async function statusOrCode(m: Mesh, method: string, body?: string): Promise<number | string> {
  try {
    const res = await m.request('http://orders/', { method, ...(body === undefined ? {} : { body }) });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return isMeshError(err) ? `${err.code}:${(err as { failure?: string }).failure ?? ''}` : String(err);
  }
}

describe('requeues with retries off', () => {
  it('re-sends an idempotent request that a reused connection dropped before any response byte', async () => {
    const server = await closingKeepAliveServer();
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [server.address] } } } });
    const results: Array<number | string> = [];
    for (let i = 0; i < 10; i++) results.push(await statusOrCode(mesh, 'GET'));
    expect(results).toEqual(Array(10).fill(200));
    expect(server.dropped).toBeGreaterThanOrEqual(1);
    expect(server.answered).toBe(10);
  });

  it('does not re-send a POST dropped on a reused connection: the server may have read it', async () => {
    const server = await closingKeepAliveServer();
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [server.address] } } } });
    // The pool does not always reuse the connection at once: go on until it has.
    const results: Array<number | string> = [];
    for (let i = 0; i < 20 && server.dropped === 0; i++) results.push(await statusOrCode(mesh, 'POST', 'x'));
    expect(server.dropped).toBe(1);
    expect(results.at(-1)).toBe('MESH_ERR_TRANSPORT:reset');
    expect(server.answered).toBe(results.length - 1);
  });

  it('does not re-send a GET whose fresh connection was closed unanswered: the server may have died on it', async () => {
    let seen = 0;
    const killer = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        seen++;
        socket.destroy();
      });
    });
    killer.listen(0, '127.0.0.1');
    await once(killer, 'listening');
    open.add({ close: () => new Promise<void>((resolve) => killer.close(() => resolve())) });
    const address = `127.0.0.1:${(killer.address() as AddressInfo).port}`;
    mesh = await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [address] } } } });
    expect(await statusOrCode(mesh, 'GET')).toBe('MESH_ERR_TRANSPORT:reset');
    expect(seen).toBe(1);
  });

  it('re-sends any method, POST included, after a refused connection, on another endpoint', async () => {
    const live = open.add(await startHttpServer((req, res) => (req.resume(), res.end('ok'))));
    const dead = open.add(await startHttpServer(() => {}));
    const deadAddress = dead.address;
    await dead.close();
    mesh = await createMesh({
      service: 'checkout',
      config: { services: { orders: { tls: 'none', endpoints: [deadAddress, live.address], outlierDetection: false } } },
    });
    const results: Array<number | string> = [];
    for (let i = 0; i < 20; i++) results.push(await statusOrCode(mesh, 'POST', 'x'));
    expect(results).toEqual(Array(20).fill(200));
    expect(live.hits()).toBe(20);
  });
});
