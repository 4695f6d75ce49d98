import { createHash } from 'node:crypto';
import { MeshError } from '../../../index.js';
import type { RegisteredInstance } from '../../../experimental.js';
import type { ControlSecrets, InstanceRecord } from '../control-store.js';
import type { SecretBox } from '../secret-box.js';

/** The JSON values the store keeps in etcd. A value that does not match its shape decodes to undefined. */

export interface ConfigValue {
  readonly yaml: string;
  readonly appliedAt: number;
}

export interface InstanceValue extends RegisteredInstance {
  readonly leaseMs: number;
}

/** A service's marker: a digest of the addresses its set had when the store last wrote it. */
export interface ServiceMarkerValue {
  readonly members: string;
}

interface SealedSecretsValue {
  readonly trustDomain: string;
  readonly caCertificatePem: string;
  readonly caKeySealed: string;
  readonly tokenKeySealed: string;
  readonly adminTokenSha256: string;
}

function parseObject(raw: Buffer | string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw.toString());
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStringRecord = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isString);

export function encodeConfig(v: ConfigValue): string {
  return JSON.stringify(v);
}

export function decodeConfig(raw: Buffer): ConfigValue | undefined {
  const o = parseObject(raw);
  if (!o || !isString(o.yaml) || !isFiniteNumber(o.appliedAt)) return undefined;
  return { yaml: o.yaml, appliedAt: o.appliedAt };
}

export function encodeInstance(r: InstanceRecord): string {
  const v: InstanceValue = { service: r.service, address: r.address, labels: r.labels, meshed: r.meshed, protocols: r.protocols, registeredAt: r.registeredAt, leaseMs: r.leaseMs };
  return JSON.stringify(v);
}

export function decodeInstance(raw: Buffer): InstanceValue | undefined {
  const o = parseObject(raw);
  if (!o || !isString(o.service) || !isString(o.address) || !isStringRecord(o.labels) || typeof o.meshed !== 'boolean') return undefined;
  if (!Array.isArray(o.protocols) || !o.protocols.every(isString) || !isFiniteNumber(o.registeredAt) || !isFiniteNumber(o.leaseMs)) return undefined;
  return { service: o.service, address: o.address, labels: o.labels, meshed: o.meshed, protocols: o.protocols, registeredAt: o.registeredAt, leaseMs: o.leaseMs };
}

export function encodeServiceMarker(v: ServiceMarkerValue): string {
  return JSON.stringify(v);
}

export function decodeServiceMarker(raw: Buffer): ServiceMarkerValue | undefined {
  const o = parseObject(raw);
  return o && isString(o.members) ? { members: o.members } : undefined;
}

/** The digest of a set's addresses that a marker holds. */
export function membersDigest(addresses: Iterable<string>): string {
  return createHash('sha256').update([...addresses].sort().join('\n')).digest('hex').slice(0, 16);
}

/** True when `b` only renews `a`; with `ignoreLease`, when the set as workloads see it is the same (a new lease length is not a change of the set). */
export function sameRegistration(a: InstanceValue, b: InstanceRecord, ignoreLease = false): boolean {
  if (a.meshed !== b.meshed || (!ignoreLease && a.leaseMs !== b.leaseMs) || a.protocols.length !== b.protocols.length || a.protocols.some((p, i) => p !== b.protocols[i])) return false;
  const ak = Object.keys(a.labels);
  return ak.length === Object.keys(b.labels).length && ak.every((k) => Object.hasOwn(b.labels, k) && a.labels[k] === b.labels[k]);
}

export function encodeSecrets(s: ControlSecrets, box: SecretBox): string {
  const v: SealedSecretsValue = {
    trustDomain: s.trustDomain,
    caCertificatePem: s.caCertificatePem,
    caKeySealed: box.seal('caKeyPem', s.caKeyPem),
    tokenKeySealed: box.seal('tokenKeyPem', s.tokenKeyPem),
    adminTokenSha256: s.adminTokenSha256,
  };
  return JSON.stringify(v);
}

/** Opens the stored secrets; throws MESH_ERR_CONFIG_INVALID when they are malformed or were sealed with another key. */
export function decodeSecrets(raw: Buffer, box: SecretBox): ControlSecrets {
  const o = parseObject(raw);
  if (!o || !isString(o.trustDomain) || !isString(o.caCertificatePem) || !isString(o.caKeySealed) || !isString(o.tokenKeySealed) || !isString(o.adminTokenSha256)) {
    throw new MeshError('MESH_ERR_CONFIG_INVALID', 'the secrets stored in etcd are malformed (not the JSON the etcd store writes)');
  }
  return Object.freeze({
    trustDomain: o.trustDomain,
    caCertificatePem: o.caCertificatePem,
    caKeyPem: box.open('caKeyPem', o.caKeySealed),
    tokenKeyPem: box.open('tokenKeyPem', o.tokenKeySealed),
    adminTokenSha256: o.adminTokenSha256,
  });
}
