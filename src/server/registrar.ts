/** One listening instance of a workload, as discovery should know it. */
export interface ServedInstance {
  readonly service: string;
  /** `host:port`, as mesh.yaml endpoints are written (IPv6 in brackets). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** What the port speaks: `http/1.1`, and `h2c` when HTTP/2 with prior knowledge is served. */
  readonly protocols: readonly string[];
}

/**
 * Where `mesh.serve` announces an instance when it starts listening and withdraws it when it
 * drains. With `control.url` the mesh's registrar is the control registry's (ControlRegistrar);
 * without it the default does nothing, and callers may pass their own (a Consul agent, a file
 * for a static resolver, …).
 */
export interface Registrar {
  register(instance: ServedInstance): Promise<void>;
  deregister(instance: ServedInstance): Promise<void>;
  /**
   * Whether `/readyz` waits for the first registration to succeed (default true). A registry the
   * workload must stay up without (the control daemon: static stability) says false: the instance
   * serves and keeps trying to register in the background.
   */
  readonly gatesReadiness?: boolean;
}

/** The registrar of a mesh without a registry: registering always succeeds at once. */
export const noopRegistrar: Registrar = Object.freeze({
  register: () => Promise.resolve(),
  deregister: () => Promise.resolve(),
});
