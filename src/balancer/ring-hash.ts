import type { Random } from '../core/index.js';
import type { Balanceable, Picker } from './picker.js';
import { murmur3 } from './murmur3.js';

export interface RingHashOptions {
  /** Points on the ring per unit of endpoint weight. */
  readonly virtualNodes: number;
  /** Places a call that has no hash key. */
  readonly random: Random;
  /** The most points in all: weights are scaled down past it (Envoy caps its ring at 8M). */
  readonly maxRingSize?: number;
}

const DEFAULT_MAX_RING_SIZE = 1 << 20;
/** Owners are packed under the hash in one float64 sort key, which leaves 21 bits for them. */
const MAX_ENDPOINTS = 1 << 21;

/**
 * Consistent hashing on a Ketama ring (Envoy's ring_hash, gRPC's ring_hash_experimental): each
 * endpoint puts `virtualNodes × weight` points on a 32-bit ring, and a key goes to the first point
 * at or after its hash. The same key lands on the same endpoint, and an endpoint leaving moves only
 * its own keys. Endpoints that are not `open` are walked past to the next point, so their keys
 * spread over several neighbours rather than piling onto one.
 *
 * @example
 * const picker = new RingHashPicker(endpoints, { virtualNodes: 100, random: Math.random });
 * const endpoint = picker.pick(req.headers['x-user-id']);
 */
export class RingHashPicker<E extends Balanceable> implements Picker<E> {
  readonly endpoints: readonly E[];
  readonly #random: Random;
  /** Sorted point hashes, and for each the index of the endpoint that owns it. */
  readonly #hashes: Uint32Array;
  readonly #owners: Uint32Array;

  constructor(endpoints: readonly E[], opts: RingHashOptions) {
    if (!(opts.virtualNodes >= 1)) throw new RangeError(`ring-hash: virtualNodes must be >= 1, got ${opts.virtualNodes}`);
    if (endpoints.length >= MAX_ENDPOINTS) throw new RangeError(`ring-hash: at most ${MAX_ENDPOINTS - 1} endpoints`);
    this.endpoints = endpoints;
    this.#random = opts.random;
    const points = pointsPerEndpoint(endpoints, opts.virtualNodes, opts.maxRingSize ?? DEFAULT_MAX_RING_SIZE);
    let size = 0;
    for (const p of points) size += p;
    const keys = new Float64Array(size);
    let at = 0;
    for (let i = 0; i < endpoints.length; i++) {
      const address = endpoints[i]!.address;
      for (let k = 0; k < points[i]!; k++) keys[at++] = murmur3(`${address}_${k}`) * MAX_ENDPOINTS + i;
    }
    keys.sort();
    this.#hashes = new Uint32Array(size);
    this.#owners = new Uint32Array(size);
    for (let j = 0; j < size; j++) {
      const key = keys[j]!;
      this.#hashes[j] = Math.floor(key / MAX_ENDPOINTS);
      this.#owners[j] = key % MAX_ENDPOINTS;
    }
  }

  /** Points on the ring. */
  get size(): number {
    return this.#hashes.length;
  }

  pick(hashKey?: string): E | undefined {
    const eps = this.endpoints;
    if (eps.length <= 1) return eps[0];
    const hashes = this.#hashes;
    const n = hashes.length;
    const h = hashKey === undefined ? Math.floor(this.#random() * 0x100000000) : murmur3(hashKey);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    let i = lo === n ? 0 : lo;
    const first = eps[this.#owners[i]!]!;
    if (first.status() === 'open' || !this.#anyOpen()) return first;
    for (let k = 1; k < n; k++) {
      i = i + 1 === n ? 0 : i + 1;
      const e = eps[this.#owners[i]!]!;
      if (e.status() === 'open') return e;
    }
    return first;
  }

  /** Checked before walking so that a ring with nothing open is not walked point by point. */
  #anyOpen(): boolean {
    const eps = this.endpoints;
    for (let i = 0; i < eps.length; i++) if (eps[i]!.status() === 'open') return true;
    return false;
  }
}

function pointsPerEndpoint(endpoints: readonly Balanceable[], virtualNodes: number, maxRingSize: number): number[] {
  const weights = endpoints.map((e) => (e.weight > 0 && Number.isFinite(e.weight) ? e.weight : 1));
  const wanted = weights.reduce((sum, w) => sum + virtualNodes * w, 0);
  const scale = wanted > maxRingSize ? maxRingSize / wanted : 1;
  return weights.map((w) => Math.max(1, Math.round(virtualNodes * w * scale)));
}
