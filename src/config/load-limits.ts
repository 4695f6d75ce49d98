import { clipText } from './clip.js';

/**
 * The largest mesh.yaml accepted (8 MiB, about 100,000 services): a larger file is refused before it
 * is read or parsed, so a runaway generator or a hostile push cannot take seconds of the event loop
 * and gigabytes of memory.
 */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Aliases expanded at most, in total: a YAML alias bomb is refused instead of expanded. */
export const MAX_ALIAS_EXPANSIONS = 1_000;

/** Why a file of `bytes` bytes is refused, or undefined when it is within the limit. */
export function sizeError(bytes: number): string | undefined {
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  return `the file is ${bytes} bytes, over the limit of ${MAX_CONFIG_BYTES / 1024 / 1024} MiB for a mesh configuration`;
}

const LONG_WORD = /\S{121,}/g;
const MAX_MESSAGE_CHARS = 400;

/**
 * A config message cut to a readable size: every long run of characters (a quoted value or key)
 * is cut with its length noted, and the message as a whole is bounded.
 */
export function boundedMessage(message: string): string {
  const cut = message.length > 120 ? message.replace(LONG_WORD, (w) => clipText(w)) : message;
  return cut.length > MAX_MESSAGE_CHARS ? clipText(cut, MAX_MESSAGE_CHARS) : cut;
}
