import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemoryStore } from '../../../src/control/store/memory-store.js';
import { FileStore } from '../../../src/control/store/file-store.js';
import { describeControlStore } from '../../helpers/control-store-conformance.js';

// The stores a daemon runs on alone pass the suite the etcd store passes, so the daemon's
// behaviour does not depend on which store it was given. The file store has no shared form:
// its directory lock refuses a second daemon on purpose.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describeControlStore('memory store', () => new MemoryStore(), { leaseMs: 1_000, lapseWithinMs: 2_500 });
describeControlStore(
  'file store',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'inmesh-store-'));
    dirs.push(dir);
    return new FileStore({ dir });
  },
  { leaseMs: 1_000, lapseWithinMs: 2_500 },
);
