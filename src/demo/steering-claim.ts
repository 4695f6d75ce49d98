import type { ServiceStats } from '../index.js';

/**
 * Below this share of an even split, the slow instance was clearly avoided. Above it the demo
 * says what it saw instead: on a busy machine scheduling delays can drown the added latency.
 */
const CLEARLY_AVOIDED = 2 / 3;

/**
 * What the demo may claim about the balancer, from what it measured: that p2c sent the slow
 * instance clearly less than an even share, or, when it did not, the numbers without the claim.
 */
export function steeringClaim(stats: ServiceStats | undefined, slowAddress: string, addedMs: number): string {
  const total = stats?.endpoints.reduce((n, e) => n + e.requests, 0) ?? 0;
  const slow = stats?.endpoints.find((e) => e.address === slowAddress);
  if (!stats || !slow || total === 0) return 'orders: no calls were made, so there is nothing to say about balancing.';
  const even = 1 / stats.endpoints.length;
  const share = slow.requests / total;
  const shown = `${(100 * share).toFixed(2)}% of ${total} attempts (an even split is ${(100 * even).toFixed(2)}%)`;
  return share < even * CLEARLY_AVOIDED
    ? `orders: p2c peak-EWMA steered around the instance that adds ${addedMs} ms: it got ${shown}.`
    : `orders: the instance that adds ${addedMs} ms got ${shown}: on this machine its latency did not stand out from scheduling delays, so p2c did not clearly avoid it.`;
}
