import type { Logger } from '../core/index.js';
import type { EndpointSpec } from '../config/types.js';

interface Entry<E> {
  readonly spec: EndpointSpec;
  readonly endpoint: E;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The live endpoints of one destination, kept in step with the full sets a resolver publishes
 * (tower's `Change` diff, keyed by address). An endpoint that stays keeps its object, and with it
 * its EWMA, pool and breaker state; new addresses are made; gone ones are closed in the
 * background; one whose labels or weight changed is replaced, since pickers and subsets read those.
 *
 * @example
 * const set = new EndpointSet((spec) => new HttpEndpoint(spec), (eps) => { picker = createPicker(cfg, eps, env) });
 * resolver.subscribe((specs) => set.update(specs));
 */
export class EndpointSet<E extends { readonly address: string; close(): Promise<void> }> {
  readonly #make: (spec: EndpointSpec) => E;
  readonly #onChange: ((endpoints: readonly E[]) => void) | undefined;
  readonly #log: Logger | undefined;
  #entries = new Map<string, Entry<E>>();
  #endpoints: readonly E[] = EMPTY;
  #closed = false;

  constructor(make: (spec: EndpointSpec) => E, onChange?: (endpoints: readonly E[]) => void, log?: Logger) {
    this.#make = make;
    this.#onChange = onChange;
    this.#log = log;
  }

  /** The current endpoints, frozen; a new array after every change. */
  get endpoints(): readonly E[] {
    return this.#endpoints;
  }

  /** Applies a full set of specs; calls `onChange` only when an endpoint was added, removed or replaced. */
  update(specs: readonly EndpointSpec[]): void {
    if (this.#closed) return;
    const next = new Map<string, Entry<E>>();
    const made: E[] = [];
    let changed = false;
    try {
      for (const spec of specs) {
        if (next.has(spec.address)) continue;
        const old = this.#entries.get(spec.address);
        if (old && sameSpec(old.spec, spec)) {
          next.set(spec.address, old);
          continue;
        }
        const endpoint = this.#make(spec);
        made.push(endpoint);
        next.set(spec.address, { spec, endpoint });
        changed = true;
      }
    } catch (err) {
      // All or nothing: a set half applied would leave the picker and the pools disagreeing.
      for (const e of made) this.#closeQuietly(e);
      throw err;
    }
    for (const [address, entry] of this.#entries) {
      if (next.get(address) === entry) continue;
      changed = true;
      this.#closeQuietly(entry.endpoint);
    }
    if (!changed) return;
    this.#entries = next;
    this.#endpoints = Object.freeze([...next.values()].map((e) => e.endpoint));
    this.#onChange?.(this.#endpoints);
  }

  /** Closes every endpoint and ignores later updates. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const endpoints = this.#endpoints;
    this.#entries = new Map();
    this.#endpoints = EMPTY;
    const results = await Promise.all(endpoints.map((e) => closeSafely(e)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.#log?.warn('balancer: closing an endpoint failed', { endpoint: endpoints[i]!.address, err: r.reason });
    });
  }

  /** Not awaited: a draining pool must not hold up the resolver update that removed it. */
  #closeQuietly(endpoint: E): void {
    closeSafely(endpoint).then(
      (r) => {
        if (r.status === 'rejected') this.#log?.warn('balancer: closing a removed endpoint failed', { endpoint: endpoint.address, err: r.reason });
      },
      () => {},
    );
  }
}

async function closeSafely(e: { close(): Promise<void> }): Promise<PromiseSettledResult<void>> {
  try {
    await e.close();
    return { status: 'fulfilled', value: undefined };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

function sameSpec(a: EndpointSpec, b: EndpointSpec): boolean {
  return a.weight === b.weight && a.host === b.host && a.port === b.port && sameLabels(a.labels, b.labels);
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}
