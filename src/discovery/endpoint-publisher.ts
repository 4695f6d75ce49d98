import type { Logger } from '../core/index.js';
import type { EndpointSpec } from '../config/types.js';
import type { Resolver } from './resolver.js';

type Listener = (endpoints: readonly EndpointSpec[]) => void;

/**
 * The subscribe/current/ready half of a Resolver, shared by every resolver kind so that they
 * differ only in how they find endpoints (grpc-js resolvers likewise only call `onSuccessfulResolution`).
 */
export class EndpointPublisher implements Omit<Resolver, 'close'> {
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<Listener>();
  #current: readonly EndpointSpec[] | undefined;
  #markReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => {
    this.#markReady = resolve;
  });

  constructor(log?: Logger) {
    this.#log = log;
  }

  subscribe(listener: Listener): () => void {
    // A subscriber that throws on the current set learns it from its own call, so this one is not caught.
    if (this.#current !== undefined) listener(this.#current);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  current(): readonly EndpointSpec[] | undefined {
    return this.#current;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  /** Replaces the current set (frozen here) and tells every listener; one failing listener does not starve the rest. */
  publish(endpoints: readonly EndpointSpec[]): void {
    const set = Object.isFrozen(endpoints) ? endpoints : Object.freeze([...endpoints]);
    this.#current = set;
    this.#markReady();
    for (const listener of [...this.#listeners]) {
      try {
        listener(set);
      } catch (err) {
        this.#log?.error('discovery: an endpoint listener threw', { err });
      }
    }
  }

  /** Lets `ready()` settle without a set, e.g. after the first lookup failed. */
  settle(): void {
    this.#markReady();
  }

  clear(): void {
    this.#listeners.clear();
    this.#markReady();
  }
}
