import { describe, expect, it } from 'vitest';
import { inboundScope } from '../../../src/core/index.js';
import type { Mesh } from '../../../src/index.js';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer } from '../../helpers/http-server.js';
import { get, serverMesh } from './serve-helpers.js';

const open = closeAfterEach();

/** A backend that answers with the budget the mesh sent it (`inmesh-deadline-ms`), or `none`. */
function budgetEcho() {
  return startHttpServer((req, res) => {
    req.resume();
    res.end(String(req.headers['inmesh-deadline-ms'] ?? 'none'));
  });
}

async function servingWithBackend(): Promise<{ mesh: Mesh; url: string }> {
  const backend = open.add(await budgetEcho());
  const mesh = open.add(await serverMesh({ services: { inventory: { endpoints: [backend.address], tls: 'none' } } }));
  const served = await mesh.serve(async (req, res) => {
    const deadlineAt = req.mesh.deadlineAt;
    // Outside the inbound scope, so that only the call option carries the deadline.
    const r = await inboundScope.exit(() => mesh.request('http://inventory/', { deadline: deadlineAt }));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ deadlineAt, budget: await r.body.text() }));
  });
  return { mesh, url: served.url };
}

describe('req.mesh.deadlineAt', () => {
  it("is the caller's deadline in epoch milliseconds, and works as the `deadline` call option", async () => {
    const { url } = await servingWithBackend();
    const before = Date.now();
    const answer = await get(`${url}/`, { headers: { 'inmesh-deadline-ms': '3000' } });
    const after = Date.now();
    expect(answer.status, answer.body).toBe(200);
    const { deadlineAt, budget } = JSON.parse(answer.body) as { deadlineAt: number; budget: string };
    expect(deadlineAt).toBeGreaterThan(before);
    expect(deadlineAt).toBeLessThanOrEqual(after + 3000);
    // The backend got what was left of those 3 s, not a deadline already past.
    expect(Number(budget)).toBeGreaterThan(0);
    expect(Number(budget)).toBeLessThanOrEqual(3000);
  });

  it('is Infinity when the caller set no deadline', async () => {
    const { url } = await servingWithBackend();
    const answer = await get(`${url}/`);
    expect(answer.status, answer.body).toBe(200);
    // JSON has no Infinity: it writes null.
    expect(JSON.parse(answer.body)).toEqual({ deadlineAt: null, budget: 'none' });
  });
});
