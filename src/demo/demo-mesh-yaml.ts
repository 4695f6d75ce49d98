/** Percent of orders calls sent to its v1 and v2 instances. */
export interface OrdersSplit {
  readonly v1: number;
  readonly v2: number;
}

/**
 * The mesh-wide mesh.yaml the demo's control daemon (at `url`) serves, as an operator would write
 * it: services are found in the daemon's registry, and orders calls are split between its
 * versions by weight. The same text with another split, applied again, is the live change.
 */
export function demoMeshYaml(url: string, split: OrdersSplit): string {
  return `# The demo's mesh-wide configuration, served by inmesh control to every workload.
mesh: demo
trustDomain: demo.local
# Where the registry is. Workloads keep their own control: block; this one makes discovery: { control: true } valid here.
control: { url: "${url}" }
services:
  orders:
    discovery: { control: true }      # the instances mesh.serve registered
    loadBalancer: p2c-ewma
    timeout: 2s
    subsets:
      v1: { version: v1 }             # control.instance.version of the workload
      v2: { version: v2 }
    routes:
      - name: split
        backends: [{ subset: v1, weight: ${split.v1} }, { subset: v2, weight: ${split.v2} }]
  inventory:
    discovery: { control: true }
    loadBalancer: round-robin
    timeout: 2s
    # A GET that meets a 503 is tried again on another endpoint, within a budget of 20% extra load.
    retries: { attempts: 3, on: [503], budget: 0.2 }
`;
}
