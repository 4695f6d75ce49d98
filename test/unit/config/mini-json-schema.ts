/**
 * Just enough of JSON Schema 2020-12 to check what `z.toJSONSchema` emits for mesh.yaml, so that the
 * tests need no validator dependency: type, properties, required, additionalProperties,
 * propertyNames, items, anyOf, oneOf, enum, const, pattern, numeric bounds, minItems, minLength.
 */
type Schema = Record<string, unknown>;

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v;

export function validateJsonSchema(schema: Schema, value: unknown, at = ''): string[] {
  const errors: string[] = [];
  const where = at || '/';
  if (schema.type !== undefined) {
    const types = ([] as unknown[]).concat(schema.type) as string[];
    const t = typeOf(value);
    if (!types.some((want) => want === t || (want === 'number' && t === 'integer'))) return [`${where}: expected ${types.join('|')}, got ${t}`];
  }
  if (schema.const !== undefined && value !== schema.const) errors.push(`${where}: expected const ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${where}: not in enum`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${where}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${where}: too short`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${where}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${where}: above maximum`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) errors.push(`${where}: not above exclusiveMinimum`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) errors.push(`${where}: not below exclusiveMaximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${where}: too few items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validateJsonSchema(schema.items as Schema, item, `${at}/${i}`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errors.push(`${where}: missing required '${key}'`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) errors.push(...validateJsonSchema(schema.propertyNames as Schema, key, `${at}/${key}(name)`));
      if (props[key]) errors.push(...validateJsonSchema(props[key], v, `${at}/${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}/${key}: additional property not allowed`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateJsonSchema(schema.additionalProperties as Schema, v, `${at}/${key}`));
    }
  }
  for (const [keyword, need] of [
    ['anyOf', (n: number) => n >= 1],
    ['oneOf', (n: number) => n === 1],
  ] as const) {
    const options = schema[keyword] as Schema[] | undefined;
    if (!options) continue;
    const results = options.map((o) => validateJsonSchema(o, value, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (!need(passing)) errors.push(`${where}: ${keyword} matched ${passing} of ${options.length} (${results.flat().join('; ')})`);
  }
  return errors;
}
