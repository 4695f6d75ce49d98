import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { clipText } from './clip.js';

/**
 * Route regexes use RE2 syntax and semantics, as Envoy's `safe_regex` and Istio do: matching takes
 * time linear in the input, so a pattern such as `(a+)+` cannot stall the event loop on a long
 * path or header. The price is what RE2 leaves out: lookaround and backreferences.
 */

let re2: typeof RE2JS | undefined;

/** The RE2 engine, loaded by the first route with a regex: configurations without one never pay for it. */
function engine(): typeof RE2JS {
  return (re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS);
}

/** Why RE2 refuses `pattern`, or undefined when it compiles. */
export function routeRegexError(pattern: string): string | undefined {
  try {
    engine().compile(pattern);
    return undefined;
  } catch (e) {
    const reason = (e as Error).message.replace(/^error parsing regexp: /, '');
    return `invalid regex ${JSON.stringify(clipText(pattern))}: ${reason}${unsupportedHint(pattern)}`;
  }
}

/**
 * A whole-value test for `pattern` (anchored at both ends). The pattern must have passed
 * `routeRegexError`; config validation guarantees that for every route in a snapshot.
 *
 * @example
 * compileRouteRegex('/api/v[0-9]+')('/api/v2') // true
 */
export function compileRouteRegex(pattern: string): (value: string) => boolean {
  const re = engine().compile(pattern);
  return (value) => re.matches(value);
}

// RE2's own wording for these ("invalid named capture", "invalid escape sequence") does not say why.
function unsupportedHint(pattern: string): string {
  if (/\(\?<?[=!]/.test(pattern)) return ' (RE2 syntax has no lookaround: (?=, (?!, (?<=, (?<!)';
  if (/\\[1-9]/.test(pattern)) return ' (RE2 syntax has no backreferences such as \\1)';
  return '';
}
