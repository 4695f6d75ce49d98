import { describe, expect, it, vi } from 'vitest';
import { createMesh } from '../../../src/index.js';

const jose = vi.hoisted(() => ({ loaded: false }));
vi.mock('jose', async (importOriginal) => {
  jose.loaded = true;
  return importOriginal();
});

describe('jose on demand', () => {
  it('is not loaded by a mesh whose config verifies no JWT, and is by the first one that does', async () => {
    const mesh = await createMesh({ service: 'orders', watch: false, shutdown: false, config: { identity: { mode: 'none' }, authorization: { orders: [{ from: ['*'] }] } } });
    try {
      expect(jose.loaded).toBe(false);
      await mesh.reload({ identity: { mode: 'none' }, authentication: { orders: { jwt: [{ issuer: 'https://idp.local', jwksUri: 'http://127.0.0.1:9/jwks' }] } } });
      await vi.waitFor(() => expect(jose.loaded).toBe(true));
    } finally {
      await mesh.close();
    }
  });
});
