import type { Etcd3, ICompare } from 'etcd3';

/** etcd leases are whole seconds, at least 1; rounded up so that an instance never lapses before its lease. */
export function leaseSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A transaction condition: the key does not exist. */
export function absent(key: Buffer): ICompare {
  return { key, target: 'Create', result: 'Equal', create_revision: 0 };
}

/** A transaction condition: the key exists. */
export function exists(key: Buffer): ICompare {
  return { key, target: 'Create', result: 'Greater', create_revision: 0 };
}

/**
 * One keepalive of a lease, on a stream of its own that ends after the answer (etcd3's Lease
 * object would keep one open per lease, and it only knows leases it granted itself, while any
 * daemon may renew an instance another one registered). False when the lease is gone.
 */
export async function keepAliveOnce(client: Etcd3, lease: string, timeoutMs: number): Promise<boolean> {
  const stream = await client.leaseClient.leaseKeepAlive({ deadline: Date.now() + timeoutMs });
  try {
    const res = await new Promise<{ TTL: string }>((resolve, reject) => {
      stream.on('data', resolve);
      stream.on('error', reject);
      stream.write({ ID: lease });
    });
    return Number(res.TTL) > 0;
  } finally {
    stream.end();
  }
}
