import { afterEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fastifyRouteOf } from '../../../src/server/fastify.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const makers: Record<string, () => FastifyInstance> = {
  'Fastify 5': () => Fastify(),
  // Typed with Fastify 5's declarations (installed as `fastify`).
  'Fastify 4': () => Fastify4() as unknown as FastifyInstance,
};

describe('the route template of a Fastify request, read from its route context', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: the same as request.routeOptions.url for routes, prefixes, wildcards and no route`, async () => {
      const app = make();
      apps.push(app);
      const seen: Array<[string, string]> = [];
      const record = (request: FastifyRequest) => seen.push([fastifyRouteOf(request), request.routeOptions.url ?? '']);
      app.addHook('onRequest', (request, _reply, done) => {
        record(request);
        done();
      });
      app.get('/api/orders/:id', async () => 'order');
      app.get('/static/*', async () => 'file');
      await app.register(
        async (sub) => {
          sub.get('/stock/:sku', async () => 'stock');
        },
        { prefix: '/v2' },
      );
      for (const url of ['/api/orders/42', '/static/a/b.css', '/v2/stock/x-1', '/nowhere']) await app.inject(url);
      expect(seen.map(([ours]) => ours)).toEqual(['/api/orders/:id', '/static/*', '/v2/stock/:sku', '']);
      for (const [ours, fastify] of seen) expect(ours).toBe(fastify);
    });
  }
});
