import type { Pool } from 'undici';
import type { Service } from '../../core/index.js';
import { AttemptHandler } from './attempt-handler.js';
import type { HttpRequest, HttpResponse } from './http-types.js';

/**
 * The leaf of an endpoint's stack: one attempt on the endpoint's undici Pool. The Pool
 * ignores the logical origin in the options and uses its own address.
 */
export function transport(pool: Pool, address: string): Service<HttpRequest, HttpResponse> {
  return function transport(req, ctx) {
    return new Promise<HttpResponse>((resolve, reject) => {
      pool.dispatch(req.opts, new AttemptHandler(address, ctx.cancellation, resolve, reject) as never);
    });
  };
}
