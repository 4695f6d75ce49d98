import { ConfigValidationError, type ConfigIssue } from '../../../src/core/index.js';
import { parseMeshConfig } from '../../../src/config/load.js';

/** The issues `parseMeshConfig` throws for `text`; fails the test if the text is accepted. */
export function issuesOf(text: string, env: Record<string, string | undefined> = {}): ConfigIssue[] {
  try {
    parseMeshConfig(text, { file: 'mesh.yaml', env });
  } catch (e) {
    if (e instanceof ConfigValidationError) return [...e.issues];
    throw e;
  }
  throw new Error(`expected the configuration to be rejected:\n${text}`);
}

export const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** The first three lines most cases start from: one valid service. */
export const ORDERS = ['services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]'] as const;

/**
 * The next value `subscribe` delivers, as a promise that rejects after `timeoutMs`: tests wait on
 * events, never on fixed sleeps.
 */
export function nextEvent<T>(subscribe: (fn: (value: T) => void) => () => void, what: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let off = (): void => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}
