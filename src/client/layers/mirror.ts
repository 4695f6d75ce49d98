import { createCallContext, Role, type LayerModule } from '../../core/index.js';
import { withOptions } from '../http/dispatch-options.js';
import type { MirrorConfig } from '../../config/types.js';
import type { Picker } from '../../balancer/picker.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import type { HttpEndpoint } from '../http/http-endpoint.js';
import { isReplayable } from '../http/replayable-body.js';
import { setHeader } from '../http/set-header.js';
import type { ClientEnv } from '../client-env.js';

export interface MirrorParams {
  readonly name: string;
  readonly mirror: MirrorConfig | undefined;
  readonly picker: (subset: string | undefined) => Picker<HttpEndpoint>;
}

/** Marks shadow traffic, so the receiving service can tell it from real calls (Envoy appends `-shadow` to the host). */
export const SHADOW_HEADER = 'inmesh-shadow';

/**
 * Request mirroring: a share of calls is also sent, once, to an endpoint of the mirror
 * subset; its response is drained and ignored and it never delays or fails the real call.
 * Above retry, so a call is shadowed once however many attempts it takes.
 */
export const mirror: LayerModule<MirrorParams, ClientEnv> = {
  role: Role.Mirror,
  description: 'shadows a percentage of calls to a subset; above retry so each call is mirrored once',
  layer({ name, mirror: cfg, picker }, { random, log }) {
    if (!cfg || cfg.percent <= 0) return undefined;
    const { subset, percent } = cfg;
    const shadow = (req: HttpRequest, route: string | undefined) => {
      const endpoint = picker(subset).pick();
      if (!endpoint) return;
      const copy: HttpRequest = { opts: withOptions(req.opts, { headers: setHeader(req.opts.headers, SHADOW_HEADER, '1') }), authority: req.authority };
      endpoint.call(copy, createCallContext({ service: name, route })).then(
        (res: HttpResponse) => res.discard(),
        (err: unknown) => log.debug('mirrored call failed', { service: name, err }),
      );
    };
    return (next) =>
      function mirror(req: HttpRequest, ctx) {
        // A streamed body can be read once; it goes to the real call only.
        if (random() * 100 < percent && isReplayable(req.opts.body)) shadow(req, ctx.route);
        return next(req, ctx);
      };
  },
};
