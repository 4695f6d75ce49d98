import { meshSchemas } from './schema.js';
import { zodLibrary } from './zod-library.js';

/**
 * The JSON Schema of mesh.yaml for editors (YAML language servers, IDEs), generated from the same zod
 * schema that validates at load. Cross-field rules (weights adding up to 100, defined subsets) are
 * only checked by `inmesh check` and at load.
 *
 * @example
 * // # yaml-language-server: $schema=./node_modules/inmesh/schema/mesh.schema.json
 * fs.writeFileSync('mesh.schema.json', JSON.stringify(meshJsonSchema(), null, 2) + '\n');
 */
export function meshJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...body } = zodLibrary().z.toJSONSchema(meshSchemas().rawMeshSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'inmesh mesh.yaml',
    description: 'Configuration of an inmesh workload: its destination services (endpoints, load balancing, timeouts, retries, circuit breaking, routes), authorization, identity, admin and telemetry. Durations are strings such as "250ms" or "2s".',
    ...body,
  };
}
