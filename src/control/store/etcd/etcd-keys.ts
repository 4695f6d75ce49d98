/**
 * Where each part of the store lives under the prefix:
 * - `config`: the mesh.yaml in force;
 * - `instances/<service>/<address>`: one key per registered instance, each on its own lease;
 * - `services/<service>`: the service's marker, rewritten with every change the store makes to
 *   the service's set (see registry-view.ts for why);
 * - `secrets`: the CA and token keys, sealed;
 * - `tokens/<jti>`: consumed single-use tokens, on a lease until they expire.
 * Names are URI-encoded, so a `/` in an address cannot move a key to another place.
 */
export type StoreKey =
  | { readonly kind: 'config' }
  | { readonly kind: 'secrets' }
  | { readonly kind: 'instance'; readonly service: string; readonly address: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'token'; readonly jti: string };

export class KeyLayout {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  config(): string {
    return `${this.prefix}config`;
  }

  secrets(): string {
    return `${this.prefix}secrets`;
  }

  instance(service: string, address: string): string {
    return `${this.prefix}instances/${encodeURIComponent(service)}/${encodeURIComponent(address)}`;
  }

  service(service: string): string {
    return `${this.prefix}services/${encodeURIComponent(service)}`;
  }

  token(jti: string): string {
    return `${this.prefix}tokens/${encodeURIComponent(jti)}`;
  }

  /** What a key under the prefix is; undefined for a key the store did not write. */
  parse(key: string): StoreKey | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const parts = key.slice(this.prefix.length).split('/');
    try {
      if (parts.length === 1 && parts[0] === 'config') return { kind: 'config' };
      if (parts.length === 1 && parts[0] === 'secrets') return { kind: 'secrets' };
      if (parts.length === 3 && parts[0] === 'instances' && parts[1] && parts[2]) return { kind: 'instance', service: decodeURIComponent(parts[1]), address: decodeURIComponent(parts[2]) };
      if (parts.length === 2 && parts[0] === 'services' && parts[1]) return { kind: 'service', service: decodeURIComponent(parts[1]) };
      if (parts.length === 2 && parts[0] === 'tokens' && parts[1]) return { kind: 'token', jti: decodeURIComponent(parts[1]) };
    } catch {
      // a malformed %-escape: not ours
    }
    return undefined;
  }
}
