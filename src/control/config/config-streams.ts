import type { ServerResponse } from 'node:http';
import type { ConfigResponseBody } from '../../experimental.js';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
export const STREAM_HEARTBEAT_MS = 15_000;

function event(c: ConfigResponseBody): string {
  return `id: ${c.version}\nevent: config\ndata: ${JSON.stringify(c)}\n\n`;
}

/** The open server-sent event streams of `/v1/config/stream`: one `config` event per version. */
export class ConfigStreams {
  readonly #open = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;

  get size(): number {
    return this.#open.size;
  }

  /** Starts a stream with the version in force, unless the client's Last-Event-ID says it has it. */
  add(res: ServerResponse, current: ConfigResponseBody | undefined, lastEventId: string | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n\n`);
    if (current && lastEventId !== String(current.version)) res.write(event(current));
    this.#open.add(res);
    res.once('close', () => {
      this.#open.delete(res);
      if (this.#open.size === 0) this.#stopHeartbeat();
    });
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => {
        for (const r of this.#open) r.write(': keepalive\n\n');
      }, STREAM_HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
  }

  broadcast(c: ConfigResponseBody): void {
    const text = event(c);
    for (const r of this.#open) r.write(text);
  }

  closeAll(): void {
    this.#stopHeartbeat();
    for (const r of [...this.#open]) r.end();
    this.#open.clear();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
