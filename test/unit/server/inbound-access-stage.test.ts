import { describe, expect, it } from 'vitest';
import type { AccessRefusal, AccessVerdict, InboundAccess } from '../../../src/server/inbound-access.js';
import { harness } from './fake-exchange.js';

/** An access stage whose checks the test settles by hand, as a JWKS fetch would. */
function pendingAccess() {
  const settle: Array<(v: AccessRefusal | undefined) => void> = [];
  const refused: AccessRefusal[] = [];
  const access = {
    current: { check: (): AccessVerdict => new Promise<AccessRefusal | undefined>((resolve) => settle.push(resolve)) },
    refused: (_ex: unknown, r: AccessRefusal) => refused.push(r),
  } as unknown as InboundAccess;
  return { access, settle, refused };
}

const flush = () => new Promise((r) => setImmediate(r));

const INVALID: AccessRefusal = { status: 401, code: 'MESH_ERR_UNAUTHORIZED', reason: 'jwt', message: 'invalid token: expired', challenge: 'Bearer error="invalid_token"' };

describe('InboundStack: the access stage', () => {
  it('takes no slot while a token is verified, and admits the request once it is', async () => {
    const { access, settle } = pendingAccess();
    const h = harness({ maxConcurrent: 1 }, undefined, { access });
    h.send();
    expect(h.stack.running).toBe(0);
    expect(h.seen).toHaveLength(0);
    settle[0]!(undefined);
    await flush();
    expect(h.seen).toHaveLength(1);
    expect(h.stack.running).toBe(1);
  });

  it('answers a refusal with its status and challenge, not marked rejected, and reports it to the access stage', async () => {
    const { access, settle, refused } = pendingAccess();
    const h = harness({}, undefined, { access });
    const { res } = h.send({ 'inmesh-caller': '1' });
    settle[0]!(INVALID);
    await flush();
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.headers['inmesh-rejected']).toBeUndefined();
    expect(res.json().error.code).toBe('MESH_ERR_UNAUTHORIZED');
    expect(refused).toEqual([INVALID]);
    expect(h.seen).toHaveLength(0);
  });

  it('counts the deadline from arrival: a request whose budget ran out during verification gets 504', async () => {
    const { access, settle } = pendingAccess();
    const h = harness({}, undefined, { access });
    const { res } = h.send({ 'inmesh-deadline-ms': '100' });
    h.clock.advance(150);
    settle[0]!(undefined);
    await flush();
    expect(res.statusCode).toBe(504);
    expect(h.seen).toHaveLength(0);
  });

  it('drops a request whose client left while its token was verified', async () => {
    const { access, settle } = pendingAccess();
    const h = harness({ maxConcurrent: 1 }, undefined, { access });
    const { res } = h.send();
    res.disconnect();
    settle[0]!(undefined);
    await flush();
    expect(h.seen).toHaveLength(0);
    expect(h.stack.running).toBe(0);
  });

  it('answers 504 at the deadline while the token is still being verified, without waiting for the keys', async () => {
    const { access, settle } = pendingAccess();
    const h = harness({}, undefined, { access });
    const { res } = h.send({ 'inmesh-deadline-ms': '100' });
    h.clock.advance(100);
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('MESH_ERR_DEADLINE_EXCEEDED');
    settle[0]!(undefined);
    await flush();
    expect(h.seen).toHaveLength(0);
  });

  it('a drain waits for requests whose token is being verified, and the drain timeout ends them with 503', async () => {
    const { access, settle } = pendingAccess();
    const h = harness({}, undefined, { access });
    const { res } = h.send();
    let idle = false;
    void h.stack.idle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    h.stack.abort(new Error('drain timeout'));
    await flush();
    expect(res.statusCode).toBe(503);
    expect(idle).toBe(true);
    settle[0]!(undefined);
    await flush();
    expect(h.seen).toHaveLength(0);
  });
});
