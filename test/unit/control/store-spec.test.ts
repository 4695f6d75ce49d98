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

  it('an etcd store without a store key is refused before it connects', async () => {
    await expect(createStore({ kind: 'etcd', endpoints: ['http://127.0.0.1:9'], prefix: '/inmesh/' }, { box: undefined, log })).rejects.toThrow(/store key/);
  });
});
