/** Longest value or key path quoted whole in a config message; a 50 MB scalar is not echoed back. */
export const MAX_QUOTED_CHARS = 120;

/**
 * `text` as it may appear in a message: cut to `max` characters, saying how long it was.
 *
 * @example
 * clipText('x'.repeat(1000)) // 'xxx…xxx… (1000 characters)'
 */
export function clipText(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}
