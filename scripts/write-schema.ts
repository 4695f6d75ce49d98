/**
 * Writes schema/mesh.schema.json from the zod schema of mesh.yaml. With `--check` it writes nothing
 * and exits 1 when the file is out of date (CI runs `tsx scripts/write-schema.ts --check`).
 * An optional path argument writes or checks another file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { meshJsonSchema } from '../src/config/json-schema.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const target = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../schema/mesh.schema.json', import.meta.url));
const text = `${JSON.stringify(meshJsonSchema(), null, 2)}\n`;

if (check) {
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
