import type { IncomingMessage } from 'node:http';
import type { CertificateAuthority, Logger } from '../experimental.js';
import type { ConfigService } from './config/config-service.js';
import type { ConfigStreams } from './config/config-streams.js';
import type { ChangeWaiters } from './http/change-waiters.js';
import type { JoinTokens } from './identity/join-tokens.js';
import type { TokenBucket } from './identity/token-bucket.js';
import type { ControlMetrics } from './metrics/control-metrics.js';
import type { ControlStore } from './store/control-store.js';

/** What the route handlers share: the daemon's parts, made once at start. */
export interface DaemonContext {
  readonly trustDomain: string;
  readonly store: ControlStore;
  readonly ca: CertificateAuthority;
  readonly joinTokens: JoinTokens;
  readonly config: ConfigService;
  readonly streams: ConfigStreams;
  readonly waiters: ChangeWaiters;
  readonly issuance: TokenBucket;
  readonly metrics: ControlMetrics;
  readonly log: Logger;
  /** Wall time, epoch ms. */
  readonly now: () => number;
  /** How long a client has to send a body once its head arrived. */
  readonly bodyTimeoutMs: number;
  /** True when the request carries the admin token. */
  isAdmin(req: IncomingMessage): boolean;
  /** False once close() began. */
  ready(): boolean;
}

/** Parked blocking queries and open streams, together: beyond it a watch is refused (503 with retry-after). */
export const MAX_WATCHERS = 50_000;
