import type { Layer, Service } from './service.js';
import type { Clock } from './clock.js';
import type { Random } from './random.js';

/** The position names of the client and endpoint stacks; users patch stacks by role. */
export const Role = {
  Tracing: 'tracing',
  ClientMetrics: 'client-metrics',
  Deadline: 'deadline',
  Router: 'router',
  Retry: 'retry',
  PerTryTimeout: 'per-try-timeout',
  Balance: 'balance',
  Breaker: 'breaker',
  Outlier: 'outlier',
  LoadTracking: 'load-tracking',
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

/** A stack position: a role, why it sits there, and how to make its layer from a config slice. */
export interface Module<C, E = Env> {
  readonly role: Role;
  readonly description: string;
  /** Returns undefined when the config turns the module off; the stack then skips it. */
  layer(cfg: C, env: E): Layer<any, any> | undefined;
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

  /** Wraps `leaf` in every module's layer, the first module outermost. */
  build<Req, Res>(cfg: C, env: E, leaf: Service<Req, Res>): Service<Req, Res> {
    let svc: Service<any, any> = leaf;
    for (let i = this.modules.length - 1; i >= 0; i--) {
      const layer = this.modules[i]!.layer(cfg, env);
      if (layer) svc = layer(svc);
    }
    return svc;
  }

  #indexOf(role: Role): number {
    const i = this.modules.findIndex((m) => m.role === role);
    if (i < 0) throw new Error(`stack: no module with role ${role} (have ${this.roles.join(', ')})`);
    return i;
  }
}
