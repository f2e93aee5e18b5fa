import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  GraphQLError,
  getNullableType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql/index.js';

/**
 * Resolvers for any subgraph SDL, made up from its types: deterministic (the same object and
 * field always give the same value, whichever gateway asks), consistent across subgraphs for an
 * entity (its fields derive from `<Type>:<id>`, so the subgraph that owns a field and one that
 * @provides it agree), with some nullable fields null and some fields failing, so the gateways'
 * null propagation and error placement get exercised on the platform's real schema.
 */

/** One nullable field in NULL_EVERY answers null. */
const NULL_EVERY = 11;
/** One non-root field in FAIL_EVERY throws. */
const FAIL_EVERY = 61;

interface Fake {
  __typename?: string;
  __seed: string;
  [field: string]: unknown;
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function scalarValue(name: string, seed: string, h: number): unknown {
  switch (name) {
    case 'ID':
      return `${h.toString(36)}`;
    case 'String':
      return `${seed.split('.').pop()}-${h.toString(36)}`;
    case 'Int':
      return h % 1000;
    case 'Float':
      return (h % 1000) / 8;
    case 'Boolean':
      return h % 2 === 0;
    case 'DateTime':
      return new Date(1_700_000_000_000 + (h % 100_000_000) * 1000).toISOString();
    case 'Date':
      return new Date(1_600_000_000_000 + (h % 100_000_000) * 1000).toISOString().slice(0, 10);
    default:
      return `${name}-${h.toString(36)}`;
  }
}

function makeResolvers(schema: GraphQLSchema): Record<string, Record<string, unknown>> {
  const entities = new Set<string>();
  const entityUnion = schema.getType('_Entity');
  if (entityUnion && isAbstractType(entityUnion))
    for (const type of schema.getPossibleTypes(entityUnion)) entities.add(type.name);

  const objectOf = (typeName: string, seed: string): Fake => {
    if (!entities.has(typeName)) return { __typename: typeName, __seed: seed };
    const id = `${typeName.toLowerCase()}-${hash(seed).toString(36)}`;
    return { __typename: typeName, __seed: `${typeName}:${id}`, id };
  };

  const fake = (type: GraphQLOutputType, seed: string): unknown => {
    const nullable = !isNonNullType(type);
    const inner = getNullableType(type);
    const h = hash(seed);
    if (nullable && h % NULL_EVERY === 3) return null;
    if (isListType(inner)) {
      const length = h % 5 === 0 ? 0 : 1 + (h % 3);
      return Array.from({ length }, (_, i) => fake(inner.ofType as GraphQLOutputType, `${seed}[${i}]`));
    }
    if (isScalarType(inner)) return scalarValue(inner.name, seed, h);
    if (isEnumType(inner)) {
      const values = inner.getValues();
      return values[h % values.length]!.value;
    }
    if (isObjectType(inner)) return objectOf(inner.name, seed);
    if (isAbstractType(inner)) {
      const possible = schema.getPossibleTypes(inner);
      return objectOf(possible[h % possible.length]!.name, seed);
    }
    throw new Error(`cannot fake ${String(type)}`);
  };

  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || type.name.startsWith('_')) continue;
    if (isAbstractType(type)) {
      resolvers[type.name] = { __resolveType: (value: Fake) => value.__typename };
      continue;
    }
    if (!isObjectType(type)) continue;
    const root = type === schema.getQueryType() || type === schema.getMutationType();
    const fields: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith('_')) continue;
      fields[field.name] = (parent: Fake | undefined, args: Record<string, unknown>) => {
        // Inputs the gateway sent (keys, @requires) are the entity's own values.
        if (parent && Object.prototype.hasOwnProperty.call(parent, field.name)) return parent[field.name];
        const argsText = Object.keys(args).length > 0 ? JSON.stringify(args) : '';
        const seed = `${root ? type.name : (parent?.__seed ?? type.name)}.${field.name}${argsText}`;
        if (!root && hash(`fail:${seed}`) % FAIL_EVERY === 0)
          throw new GraphQLError(`Made-up failure of ${type.name}.${field.name}.`, {
            extensions: { code: 'NOT_FOUND' },
          });
        return fake(field.type, seed);
      };
    }
    if (entities.has(type.name)) {
      fields['__resolveReference'] = (reference: Record<string, unknown>) => {
        const { __typename: _typename, ...keys } = reference;
        const seed =
          typeof keys['id'] === 'string'
            ? `${type.name}:${keys['id']}`
            : `${type.name}:${JSON.stringify(keys)}`;
        return { ...reference, __seed: seed };
      };
    }
    resolvers[type.name] = fields;
  }
  return resolvers;
}

/** Made-up resolvers for a subgraph SDL (see above). */
export function fakeResolvers(typeDefs: string): Record<string, Record<string, unknown>> {
  const bare = buildSubgraphSchema({ typeDefs: parse(typeDefs) });
  return makeResolvers(bare);
}
