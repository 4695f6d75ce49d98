import { ConfigValidationError } from '../core/index.js';
import type { EnvRecord } from './interpolate.js';
import { parseMeshConfig } from './load.js';
import { createSnapshot } from './snapshot.js';
import type { ConfigSnapshot, MeshConfig } from './types.js';
import { parseDocument } from './yaml-library.js';

/** One version of the daemon's configuration, parsed and validated on its own. */
export interface ControlConfigVersion {
  readonly version: number;
  readonly yaml: string;
  readonly config: MeshConfig;
  /** The top-level keys the daemon's text sets: only those take over the workload's own values. */
  readonly declared: ReadonlySet<string>;
}

/** The name a daemon version goes by in issues (`control v12:4:7`) and as a snapshot's source. */
export function controlSourceName(version: number): string {
  return `control v${version}`;
}

/**
 * Parses a configuration the control daemon serves with the library's own loader, so a refusal
 * names line and column in the daemon's text. Its services may use the registry: the workload
 * reading it has `control.url`. Throws ConfigValidationError.
 */
export function parseControlConfig(yaml: string, version: number, env?: EnvRecord): ControlConfigVersion {
  const file = controlSourceName(version);
  const snapshot = parseMeshConfig(yaml, { file, version, servedByControl: true, ...(env && { env }) });
  const tree: unknown = parseDocument(yaml, { uniqueKeys: false }).toJS();
  const declared = new Set(tree !== null && typeof tree === 'object' ? Object.keys(tree) : []);
  return { version, yaml, config: snapshot.config, declared };
}

/** Keys the daemon decides for the whole mesh when its text sets them; the rest are the workload's. */
const MESH_WIDE_SCALARS = ['mesh', 'trustDomain', 'outbound'] as const;

/**
 * The configuration in force for a workload with `control.url`: the daemon's over its own file.
 *
 * - The daemon is the mesh's source of truth for mesh-wide keys: `mesh`, `trustDomain` and
 *   `outbound` when its text sets them; and per entry `services`, `authorization` and
 *   `authentication` — an entry the daemon names replaces the local one whole (no key-by-key
 *   merge, so what runs is what the operator applied, as with an Istio or Linkerd resource).
 * - The workload's file keeps what is its own: `admin`, `inbound`, `identity`, `control`,
 *   `telemetry`, and every service, authorization or authentication entry the daemon does not name.
 *
 * `pinnedTrustDomain` is the trust domain the running identity was issued in: a daemon version
 * that changes it cannot be merged into a running workload (its certificate would no longer
 * match), so it is refused until a restart.
 */
export function mergeControlConfig(local: MeshConfig, daemon: ControlConfigVersion, pinnedTrustDomain?: string): MeshConfig {
  const merged: Record<string, unknown> = { ...local };
  for (const key of MESH_WIDE_SCALARS) if (daemon.declared.has(key)) merged[key] = daemon.config[key];
  merged.services = { ...local.services, ...daemon.config.services };
  merged.authorization = { ...local.authorization, ...daemon.config.authorization };
  merged.authentication = { ...local.authentication, ...daemon.config.authentication };
  const result = merged as unknown as MeshConfig;
  if (pinnedTrustDomain !== undefined && result.trustDomain !== pinnedTrustDomain) {
    throw new ConfigValidationError([
      {
        file: controlSourceName(daemon.version),
        path: 'trustDomain',
        message: `trust domain ${JSON.stringify(result.trustDomain)} differs from ${JSON.stringify(pinnedTrustDomain)}, the one this workload's identity runs in: restart the workload to move it`,
      },
    ]);
  }
  return result;
}

/** The merged snapshot, named after the daemon version it came from (the local one alone before any). */
export function controlSnapshot(local: ConfigSnapshot, daemon: ControlConfigVersion | undefined, version: number, pinnedTrustDomain?: string): ConfigSnapshot {
  if (!daemon) return local;
  const config = mergeControlConfig(local.config, daemon, pinnedTrustDomain);
  return createSnapshot(config, { version, source: `${local.source} + ${controlSourceName(daemon.version)}` });
}
