import type { Layer, Service } from './service.js';
import type { Clock } from './clock.js';
import type { Random } from './random.js';
import { TapGroup, isTapLeaf, tapLayer, type Tap } from './tap.js';

/** The position names of the client and endpoint stacks; users patch stacks by role. */
export const Role = {
  Tracing: 'tracing',
  ClientMetrics: 'client-metrics',
  AccessLog: 'access-log',
  AttemptCount: 'attempt-count',
  Deadline: 'deadline',
  Fault: 'fault',
  Mirror: 'mirror',
  ConcurrencyLimit: 'concurrency-limit',
  ServiceBreaker: 'service-breaker',
  Retry: 'retry',
  Hedge: 'hedge',
  PerTryTimeout: 'per-try-timeout',
  Requeue: 'requeue',
  Balance: 'balance',
  Breaker: 'breaker',
  Outlier: 'outlier',
  LoadTracking: 'load-tracking',
  LoadReport: 'load-report',
  EndpointMetrics: 'endpoint-metrics',
} as const;
export type Role = (typeof Role)[keyof typeof Role] | (string & {});

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What layers may use besides their config: passed in, never imported, so tests can swap each part. */
export interface Env {
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
}

/**
 * A stack position: a role, why it sits there, and how to make its layer from a config slice.
 * A module gives either a `layer` (it may change the call) or a `tap` (it only watches it).
 */
export type Module<C, E = Env> = LayerModule<C, E> | TapModule<C, E>;

interface ModuleInfo {
  readonly role: Role;
  readonly description: string;
}

export interface LayerModule<C, E = Env> extends ModuleInfo {
  /** Returns undefined when the config turns the module off; the stack then skips it. */
  layer(cfg: C, env: E): Layer<any, any> | undefined;
}

export interface TapModule<C, E = Env> extends ModuleInfo {
  /** Returns undefined when the config turns the module off. */
  tap(cfg: C, env: E): Tap<any, any> | undefined;
}

/** A built stack whose outermost taps are left to the caller to run on its own continuation. */
export interface BuiltStack<Req, Res> {
  readonly service: Service<Req, Res>;
  readonly outerTap: Tap<Req, Res> | undefined;
}

/**
 * A persistent, role-tagged list of modules, first = outermost (tower's order).
 * Every edit returns a new stack; the original is unchanged.
 *
 * @example
 * const custom = defaultClientStack.insertAfter(Role.Retry, { role: 'audit', description: 'logs attempts', layer: () => auditLayer });
 */
export class Stack<C, E = Env> {
  readonly modules: readonly Module<C, E>[];

  private constructor(modules: readonly Module<C, E>[]) {
    this.modules = Object.freeze([...modules]);
  }

  static of<C, E = Env>(...modules: Module<C, E>[]): Stack<C, E> {
    const roles = new Set<string>();
    for (const m of modules) {
      if (roles.has(m.role)) throw new Error(`stack: role ${m.role} appears twice`);
      roles.add(m.role);
    }
    return new Stack(modules);
  }

  get roles(): readonly Role[] {
    return this.modules.map((m) => m.role);
  }

  has(role: Role): boolean {
    return this.modules.some((m) => m.role === role);
  }

  insertBefore(role: Role, m: Module<C, E>): Stack<C, E> {
    const i = this.#indexOf(role);
    return Stack.of(...this.modules.slice(0, i), m, ...this.modules.slice(i));
  }

  insertAfter(role: Role, m: Module<C, E>): Stack<C, E> {
    const i = this.#indexOf(role);
    return Stack.of(...this.modules.slice(0, i + 1), m, ...this.modules.slice(i + 1));
  }

  replace(role: Role, m: Module<C, E>): Stack<C, E> {
    const i = this.#indexOf(role);
    return Stack.of(...this.modules.slice(0, i), m, ...this.modules.slice(i + 1));
  }

  remove(role: Role): Stack<C, E> {
    const i = this.#indexOf(role);
    return Stack.of(...this.modules.slice(0, i), ...this.modules.slice(i + 1));
  }

  /** Prepends (outermost) or appends (innermost) a module. */
  push(m: Module<C, E>, where: 'outermost' | 'innermost' = 'innermost'): Stack<C, E> {
    return where === 'outermost' ? Stack.of(m, ...this.modules) : Stack.of(...this.modules, m);
  }

  /**
   * Wraps `leaf` in every module's layer, the first module outermost. Adjacent taps become
   * one continuation; taps directly above a TapLeaf are handed to it to run itself.
   */
  build<Req, Res>(cfg: C, env: E & { clock: { now(): number } }, leaf: Service<Req, Res>): Service<Req, Res> {
    const built = this.#build<Req, Res>(cfg, env, leaf, false);
    return built.service;
  }

  /** As `build`, but the outermost taps are returned instead of wrapped, for a caller that already has a continuation. */
  buildWithOuterTap<Req, Res>(cfg: C, env: E & { clock: { now(): number } }, leaf: Service<Req, Res>): BuiltStack<Req, Res> {
    return this.#build<Req, Res>(cfg, env, leaf, true);
  }

  #build<Req, Res>(cfg: C, env: E & { clock: { now(): number } }, leaf: Service<Req, Res>, keepOuterTap: boolean): BuiltStack<Req, Res> {
    const now = () => env.clock.now();
    let svc: Service<any, any> = leaf;
    let pending: Tap<any, any>[] = [];
    let leafReached = true;
    const flush = () => {
      if (pending.length === 0) return;
      const group = new TapGroup(pending.reverse());
      pending = [];
      svc = leafReached && isTapLeaf(svc) ? svc.withTap(group) : tapLayer(group, now, svc);
      leafReached = false;
    };
    for (let i = this.modules.length - 1; i >= 0; i--) {
      const m = this.modules[i]!;
      if ('tap' in m) {
        const tap = m.tap(cfg, env);
        if (tap) pending.push(tap);
        continue;
      }
      const layer = m.layer(cfg, env);
      if (!layer) continue;
      flush();
      leafReached = false;
      svc = layer(svc);
    }
    if (keepOuterTap && pending.length > 0 && !(leafReached && isTapLeaf(svc))) {
      return { service: svc, outerTap: new TapGroup(pending.reverse()) };
    }
    flush();
    return { service: svc, outerTap: undefined };
  }

  #indexOf(role: Role): number {
    const i = this.modules.findIndex((m) => m.role === role);
    if (i < 0) throw new Error(`stack: no module with role ${role} (have ${this.roles.join(', ')})`);
    return i;
  }
}
