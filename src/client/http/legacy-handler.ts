import type { Dispatcher } from 'undici';
import type { LegacyHandler } from './http-types.js';

type NewHandler = Required<Pick<Dispatcher.DispatchHandler, 'onRequestStart'>> & Dispatcher.DispatchHandler;

function parseHeaders(raw: Buffer[] | string[] | null): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!.toString().toLowerCase();
    const val = raw[i + 1]!.toString();
    const prev = out[key];
    out[key] = prev === undefined ? val : Array.isArray(prev) ? [...prev, val] : [prev, val];
  }
  return out;
}

/** The controller a new-style handler gets: abort, and pause/resume mapped onto the legacy return values. */
class Controller {
  paused = false;
  aborted = false;
  reason: Error | null = null;
  resumeFn: (() => void) | null = null;
  readonly #abort: (err?: Error) => void;
  constructor(abort: (err?: Error) => void) {
    this.#abort = abort;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeFn?.();
  }
  abort(reason?: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? null;
    this.#abort(reason);
  }
}

/** Adapts a new-style handler (onRequestStart/onResponse*) to the legacy interface; legacy handlers pass through. */
export function toLegacyHandler(handler: Dispatcher.DispatchHandler): LegacyHandler {
  if (typeof handler.onRequestStart !== 'function') return handler as LegacyHandler;
  const h = handler as NewHandler;
  let controller!: Controller;
  return {
    onConnect(abort, context) {
      controller = new Controller(abort);
      h.onRequestStart(controller as never, context);
    },
    onHeaders(statusCode, rawHeaders, resume, statusText) {
      controller.resumeFn = resume;
      h.onResponseStart?.(controller as never, statusCode, parseHeaders(rawHeaders), statusText);
      return !controller.paused;
    },
    onData(chunk) {
      h.onResponseData?.(controller as never, chunk);
      return !controller.paused;
    },
    onComplete(trailers) {
      h.onResponseEnd?.(controller as never, parseHeaders(trailers));
    },
    onError(err) {
      h.onResponseError?.(controller as never, err);
    },
    onUpgrade(statusCode, rawHeaders, socket) {
      h.onRequestUpgrade?.(controller as never, statusCode, parseHeaders(rawHeaders), socket as never);
    },
  };
}
