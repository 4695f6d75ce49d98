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

/** Resolves after `check` returns true, polling; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
