import { compileRouteRegex } from '../../config/route-regex.js';
import type { RouteMatch, StringMatch } from '../../config/types.js';
import type { HttpRequest } from '../http/http-types.js';
import { headerValue } from '../http/header-value.js';

export type RequestPredicate = (req: HttpRequest) => boolean;

function stringTest(m: StringMatch): (value: string | undefined) => boolean {
  if ('exact' in m) return (v) => v === m.exact;
  if ('prefix' in m) return (v) => v !== undefined && v.startsWith(m.prefix);
  if ('regex' in m) {
    // RE2, whole value: linear time whatever the pattern and the input (see config/route-regex.ts).
    const matches = compileRouteRegex(m.regex);
    return (v) => v !== undefined && matches(v);
  }
  return m.present ? (v) => v !== undefined : (v) => v === undefined;
}

/** The request path without its query string, as route paths are written. */
export function pathOf(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/**
 * Compiles a route's match once (regexes included), so that matching a call is a few
 * comparisons. An empty match accepts every request.
 */
export function compileRouteMatch(match: RouteMatch): RequestPredicate {
  const tests: RequestPredicate[] = [];
  if (match.path) {
    const t = stringTest(match.path);
    tests.push((req) => t(pathOf(req.opts.path)));
  }
  if (match.methods?.length) {
    const methods = new Set(match.methods);
    tests.push((req) => methods.has(req.opts.method));
  }
  for (const [name, m] of Object.entries(match.headers)) {
    const t = stringTest(m);
    tests.push((req) => t(headerValue(req.opts.headers, name)));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (req) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(req)) return false;
    return true;
  };
}
