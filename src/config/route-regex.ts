import { RE2JS } from 're2js';
import { clipText } from './clip.js';

/**
 * Route regexes use RE2 syntax and semantics, as Envoy's `safe_regex` and Istio do: matching takes
 * time linear in the input, so a pattern such as `(a+)+` cannot stall the event loop on a long
 * path or header. The price is what RE2 leaves out: lookaround and backreferences.
 */

/** Why RE2 refuses `pattern`, or undefined when it compiles. */
export function routeRegexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
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
  const re = RE2JS.compile(pattern);
  return (value) => re.matches(value);
}

// RE2's own wording for these ("invalid named capture", "invalid escape sequence") does not say why.
function unsupportedHint(pattern: string): string {
  if (/\(\?<?[=!]/.test(pattern)) return ' (RE2 syntax has no lookaround: (?=, (?!, (?<=, (?<!)';
  if (/\\[1-9]/.test(pattern)) return ' (RE2 syntax has no backreferences such as \\1)';
  return '';
}
