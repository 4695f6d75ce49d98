import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMesh, type Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer, waitFor } from '../../helpers/http-server.js';

const open = closeAfterEach();

describe('deadline propagation across two hops', () => {
  it('carries the caller’s remaining budget through a served handler, and cancels the second hop when it runs out', async () => {
    // C: the last hop. It records the budget it was given and hangs on /hang.
    const seenBudgets: number[] = [];
    let hungClosedAt = 0;
    const c = open.add(
      await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
        seenBudgets.push(Number(req.headers['inmesh-deadline-ms']));
        req.resume();
        if (req.url === '/hang') res.on('close', () => (hungClosedAt = Date.now()));
        else res.end('c-ok');
      }),
    );

    // B: served by inmesh; its handler calls C through its own mesh, with no deadline code and no timeout configured.
    const meshB: Mesh = open.add(await createMesh({ service: 'orders', config: { services: { inventory: { tls: 'none', endpoints: [c.address] } } } }));
    const b = await meshB.serve(async (req: IncomingMessage, res: ServerResponse) => {
      try {
        const down = await meshB.request(`http://inventory${req.url}`);
        res.end(`b-then-${await down.body.text()}`);
      } catch (err) {
        res.writeHead(504).end((err as { code?: string }).code ?? 'error');
      }
    }, { port: 0 });

    // A: the caller, with a 200 ms budget for the whole call.
    const meshA: Mesh = open.add(await createMesh({ service: 'checkout', config: { services: { orders: { tls: 'none', endpoints: [`127.0.0.1:${b.port}`], timeout: '200ms' } } } }));

    const ok = await meshA.request('http://orders/ok');
    expect(await ok.body.text()).toBe('b-then-c-ok');
    expect(seenBudgets[0]).toBeGreaterThan(0);
    expect(seenBudgets[0]).toBeLessThanOrEqual(200);

    const started = Date.now();
    // B's handler answers its own failed call with the bare code; B's stack answers with a JSON refusal.
    const codeIn = (text: string) => (text.startsWith('{') ? (JSON.parse(text) as { error: { code: string } }).error.code : text);
    // A's deadline and B's (the same instant, carried in the header) race: either A gives up
    // first, or B ends its exchange at the deadline and answers 504 with the same code.
    const outcome = await meshA.request('http://orders/hang').then(
      async (res) => ({ code: res.statusCode === 504 ? codeIn(await res.body.text()) : `status ${res.statusCode}` }),
      (e: unknown) => ({ code: (e as { code?: string }).code }),
    );
    expect(outcome).toEqual({ code: 'MESH_ERR_DEADLINE_EXCEEDED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(seenBudgets[1]).toBeLessThanOrEqual(200);
    // B's call to C inherited the deadline implicitly, so C's request is abandoned at about the same time, not left hanging.
    await waitFor(() => hungClosedAt > 0, 2000, 'the second hop to be cancelled');
    expect(hungClosedAt - started).toBeLessThan(1000);
  });
});
