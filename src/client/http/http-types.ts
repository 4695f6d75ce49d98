import type { Dispatcher } from 'undici';

/**
 * The handler interface undici's Client speaks internally (onConnect/onHeaders/onData/…).
 * The mesh works in it end to end so that no adapter sits on the common path; new-style
 * handlers are adapted once at the edge (legacy-handler.ts).
 */
export interface LegacyHandler {
  onConnect?(abort: (err?: Error) => void, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | string[] | null): void;
  onError?(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: unknown): void;
  onBodySent?(chunkSize: number, totalBytesSent: number): void;
}

/** One outbound HTTP call as the client stack sees it. */
export interface HttpRequest {
  /** undici dispatch options; `origin` is the logical one (`http://orders`). */
  readonly opts: Dispatcher.DispatchOptions;
  /** The logical authority, e.g. `orders`: sent as the Host header, as a plain client would. */
  readonly authority: string;
}

/**
 * A response whose headers have arrived. The body is held (briefly buffered, then paused)
 * until a layer decides: `deliver` hands it to the caller, `discard` drops it (a retry).
 */
export interface HttpResponse {
  readonly statusCode: number;
  readonly rawHeaders: Buffer[];
  readonly statusMessage: string;
  /** The endpoint address that answered. */
  readonly endpoint: string;
  /** Looks up a response header (lower-case name); first value. */
  header(name: string): string | undefined;
  deliver(handler: LegacyHandler): void;
  discard(): void;
  /** Calls `fn` once when the body has ended (null) or failed; at once if it already has. */
  onDone(fn: (err: Error | null) => void): void;
}
