// Where the library under test is imported from: this worktree's dist, or `--dist DIR` (for
// A/B runs against another build) passed down to the children as INMESH_BENCH_DIST.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export function distIndexUrl() {
  const dir = process.env.INMESH_BENCH_DIST;
  return dir ? pathToFileURL(resolve(dir, 'index.js')).href : new URL('../../dist/index.js', import.meta.url).href;
}
