import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createStore, parseStoreSpec } from '../../../src/control/store/store-spec.js';

const log = { debug() {}, info() {}, warn() {}, error() {} };

describe('parseStoreSpec', () => {
  it('reads memory, file and etcd specs', () => {
    expect(parseStoreSpec(undefined)).toEqual({ kind: 'file', dir: '.inmesh/control' });
    expect(parseStoreSpec('file')).toEqual({ kind: 'file', dir: '.inmesh/control' });
    expect(parseStoreSpec('file:/var/lib/inmesh')).toEqual({ kind: 'file', dir: '/var/lib/inmesh' });
    expect(parseStoreSpec('memory')).toEqual({ kind: 'memory' });
    expect(parseStoreSpec('etcd:http://127.0.0.1:2379,https://10.0.0.2:2379')).toEqual({ kind: 'etcd', endpoints: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'], prefix: '/inmesh/' });
    expect(parseStoreSpec('etcd:http://127.0.0.1:2379?prefix=/shop/')).toMatchObject({ prefix: '/shop/' });
  });

  it('refuses what it cannot read, saying what it expects', () => {
    for (const spec of ['file:', 'etcd:', 'etcd:http://a:1,', 'etcd:127.0.0.1:2379', 'etcd:ftp://a:1', 'etcd:http://a:1?prefix=', 'redis:x', 'Memory']) {
      expect(() => parseStoreSpec(spec), spec).toThrow(/expected memory, file:DIR or etcd:URL/);
    }
  });

  // Only while the etcd store is not part of the tree: then it is its own tests' business.
  it.skipIf(existsSync(new URL('../../../src/control/store/etcd-store.ts', import.meta.url)))('an etcd store whose module is not there is a clear error', async () => {
    await expect(createStore({ kind: 'etcd', endpoints: ['http://127.0.0.1:2379'], prefix: '/inmesh/' }, { box: undefined, log })).rejects.toThrow(/the etcd store cannot be loaded \(\.\/etcd-store\.js\)/);
  });
});
