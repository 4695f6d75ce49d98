import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigValidationError } from '../../../src/core/index.js';
import { ConfigStore } from '../../../src/config/config-store.js';
import { watchConfigFile, type ConfigWatcher } from '../../../src/config/file-source.js';
import { loadMeshConfigFile } from '../../../src/config/load.js';
import type { ConfigSnapshot } from '../../../src/config/types.js';
import { nextEvent, yaml } from './config-test-helpers.js';

const config = (timeout: string) => yaml('services:', '  orders:', '    endpoints: ["127.0.0.1:8081"]', `    timeout: ${timeout}`);

let dir: string;
let file: string;
const watchers: ConfigWatcher[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inmesh-config-'));
  file = join(dir, 'mesh.yaml');
  writeFileSync(file, config('1s'));
});

afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  rmSync(dir, { recursive: true, force: true });
});

function watched(debounceMs = 10): ConfigStore {
  const store = new ConfigStore(loadMeshConfigFile(file));
  watchers.push(watchConfigFile(file, store, { debounceMs, env: {} }));
  return store;
}

const nextSnapshot = (store: ConfigStore) => nextEvent<ConfigSnapshot>((fn) => store.subscribe(fn), 'a new snapshot');
const nextRejection = (store: ConfigStore) => nextEvent<ConfigValidationError>((fn) => store.onRejected(fn), 'a rejected reload');

describe('watchConfigFile', () => {
  it('applies a valid edit as a new snapshot', async () => {
    const store = watched();
    const applied = nextSnapshot(store);
    writeFileSync(file, config('3s'));
    const snap = await applied;
    expect(snap.version).toBe(2);
    expect(snap.config.services.orders!.timeout).toBe(3000);
    expect(store.current()).toBe(snap);
  });

  it('refuses an invalid edit whole and keeps the last good config', async () => {
    const store = watched();
    const before = store.current();
    const rejected = nextRejection(store);
    writeFileSync(file, `${config('3s')}    loadBalncer: p2c-ewma\n`);
    const error = await rejected;
    expect(error.issues).toEqual([{ file, line: 5, column: 5, path: 'services.orders.loadBalncer', message: "unknown key 'loadBalncer' (did you mean 'loadBalancer'?)" }]);
    expect(store.current()).toBe(before);
    expect(store.current().config.services.orders!.timeout).toBe(1000);
    expect(store.stats()).toMatchObject({ applied: 0, rejected: 1 });

    // A later valid edit is applied as usual.
    const applied = nextSnapshot(store);
    writeFileSync(file, config('4s'));
    expect((await applied).config.services.orders!.timeout).toBe(4000);
  });

  it('follows editors that write a new file and rename it over the old one', async () => {
    const store = watched();
    const applied = nextSnapshot(store);
    const tmp = join(dir, '.mesh.yaml.swp');
    writeFileSync(tmp, config('5s'));
    renameSync(tmp, file);
    expect((await applied).config.services.orders!.timeout).toBe(5000);

    const again = nextSnapshot(store);
    writeFileSync(tmp, config('6s'));
    renameSync(tmp, file);
    expect((await again).config.services.orders!.timeout).toBe(6000);
  });

  it('stops applying edits once closed', async () => {
    const closedStore = watched(5);
    watchers[0]!.close();
    watchers[0]!.close(); // idempotent
    // A second watcher with a longer debounce: when it fires, the closed one would long since have fired.
    const openStore = watched(150);
    const applied = nextSnapshot(openStore);
    writeFileSync(file, config('7s'));
    await applied;
    expect(closedStore.current().version).toBe(1);
    expect(closedStore.stats()).toEqual({ applied: 0, rejected: 0 });
  });
});
