import type { Dispatcher } from 'undici';

/**
 * A copy of dispatch options with `patch` applied, made with Object.assign rather than a spread.
 * On Node 20 an options object made by spreading another one made undici's dispatch of it cost
 * 5–8 µs more client CPU per call (a closed loop of mesh.request: 15.4 → 23 µs) where one made by
 * Object.assign costs nothing extra; every header the mesh adds (deadline, caller mark, trace
 * context, shadow) goes through here.
 */
export function withOptions<T extends Dispatcher.DispatchOptions>(opts: T, patch: object): T {
  return Object.assign({}, opts, patch);
}
