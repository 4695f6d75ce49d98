/**
 * Writes schema/mesh.schema.json from the zod schema of mesh.yaml. With `--check` it writes nothing
 * and exits 1 when the committed file is out of date (CI runs `tsx scripts/write-schema.ts --check`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { meshJsonSchema } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../schema/mesh.schema.json', import.meta.url));
const text = `${JSON.stringify(meshJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is out of date too.
  }
  if (committed !== text) {
    console.error(`${target} is out of date: run \`npm run schema\` and commit the result`);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
