import type { HttpResponse, LegacyHandler } from './http-types.js';
import { rawHeaderValue } from './raw-header.js';

/**
 * A response made by the mesh itself, never by an endpoint (fault injection's abort):
 * complete at once, with a small text body naming why.
 */
export class SyntheticResponse implements HttpResponse {
  readonly statusCode: number;
  readonly rawHeaders: Buffer[];
  readonly statusMessage = '';
  readonly endpoint = '';
  readonly #body: Buffer;

  constructor(statusCode: number, reason: string, headers: Record<string, string> = {}) {
    this.statusCode = statusCode;
    this.#body = Buffer.from(`${reason}\n`);
    const all: Record<string, string> = { 'content-type': 'text/plain', 'content-length': String(this.#body.length), ...headers };
    this.rawHeaders = Object.entries(all).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
  }

  header(name: string): string | undefined {
    return rawHeaderValue(this.rawHeaders, name);
  }

  deliver(handler: LegacyHandler): void {
    handler.onResponseStarted?.();
    handler.onHeaders?.(this.statusCode, this.rawHeaders, noop, this.statusMessage);
    handler.onData?.(this.#body);
    handler.onComplete?.([]);
  }

  discard(): void {}

  onDone(fn: (err: Error | null) => void): void {
    fn(null);
  }
}

function noop(): void {}
