/**
 * Just enough JSON Schema (2020-12) to check report.schema.json's own keywords: type, const, enum,
 * required, properties, additionalProperties: false, items, allOf, minimum and local $ref. Returns
 * one message per violation with its JSON pointer. Unknown keywords fail loudly, so the schema
 * cannot quietly grow past what this checks.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'allOf',
  'minimum',
]);

export function validateJson(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value as Json, '', errors);
  return errors;
}

function check(root: Schema, schema: Schema, value: Json, at: string, errors: string[]): void {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`validator does not support keyword ${key} at ${at || '/'}`);
  }
  if (typeof schema['$ref'] === 'string') {
    const target = resolve(root, schema['$ref']);
    check(root, target, value, at, errors);
  }
  for (const part of (schema['allOf'] as Schema[] | undefined) ?? []) check(root, part, value, at, errors);
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? schema['type'] : [schema['type']];
    if (!types.some((type) => typeMatches(type as string, value)))
      errors.push(`${at || '/'}: expected ${types.join('|')}, got ${JSON.stringify(value)}`);
  }
  if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(value))
    errors.push(`${at || '/'}: expected ${JSON.stringify(schema['const'])}`);
  if (
    Array.isArray(schema['enum']) &&
    !schema['enum'].some((option) => JSON.stringify(option) === JSON.stringify(value))
  ) {
    errors.push(`${at || '/'}: ${JSON.stringify(value)} not in ${JSON.stringify(schema['enum'])}`);
  }
  if (typeof schema['minimum'] === 'number' && typeof value === 'number' && value < schema['minimum'])
    errors.push(`${at}: below minimum`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of (schema['required'] as string[] | undefined) ?? []) {
      if (!(key in value)) errors.push(`${at}/${key}: required`);
    }
    const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [key, child] of Object.entries(value)) {
      if (properties[key]) check(root, properties[key], child, `${at}/${key}`, errors);
      else if (schema['additionalProperties'] === false) errors.push(`${at}/${key}: not allowed`);
    }
  }
  if (Array.isArray(value) && schema['items'] !== undefined) {
    value.forEach((item, index) => check(root, schema['items'] as Schema, item, `${at}/${index}`, errors));
  }
}

function typeMatches(type: string, value: Json): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref supported: ${ref}`);
  let node: Json = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, Json>)[part]!;
  return node as Schema;
}
