import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
} from './graphql.js';
import type { DocumentNode, GraphQLField, GraphQLNamedType, GraphQLSchema } from 'graphql';
import type { LintWarning } from './report/types.js';

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_CASE = /^[A-Z][A-Z0-9_]*$/;
const PAGINATION_ARGUMENTS = new Set(['first', 'last', 'after', 'before']);

/**
 * Advisory rules on the composed API schema; they never fail a check.
 * - naming/type-pascal-case, naming/field-camel-case (fields, input fields, arguments),
 *   naming/enum-value-upper-case;
 * - docs/object-type-description: a public object type without a description (root types exempt);
 * - pagination/list-with-pagination-args: a field takes first/last/after/before but returns a
 *   list of objects rather than a Relay `XConnection` (no totalCount, no cursors to resume from);
 * - pagination/unbounded-entity-list: a field without pagination arguments returns a list of an
 *   entity (a type with @key somewhere): entities are rows that keep growing, so the list does.
 * Lists of scalars and enums are exempt (tags, roles, suggestions are bounded by nature).
 */
export function lintSchema(
  schema: GraphQLSchema,
  supergraphSdl: string,
  subgraphDocuments: ReadonlyMap<string, DocumentNode>,
): LintWarning[] {
  const owners = definedIn(subgraphDocuments);
  const entities = entityTypes(supergraphSdl);
  const writes = new Set(
    [schema.getMutationType()?.name, schema.getSubscriptionType()?.name].filter((name) => name !== undefined),
  );
  const roots = new Set([schema.getQueryType()?.name, ...writes].filter((name) => name !== undefined));
  const warnings: LintWarning[] = [];
  const warn = (rule: string, coordinate: string, message: string): void => {
    warnings.push({ rule, coordinate, message, subgraphs: [...(owners.get(coordinate) ?? [])].sort() });
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isBuiltInScalar(type)) continue;
    if (!PASCAL_CASE.test(type.name))
      warn('naming/type-pascal-case', type.name, `type ${type.name} should be PascalCase`);
    if (isObjectType(type) && !roots.has(type.name) && !type.description?.trim()) {
      warn('docs/object-type-description', type.name, `object type ${type.name} has no description`);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!UPPER_CASE.test(value.name))
          warn(
            'naming/enum-value-upper-case',
            `${type.name}.${value.name}`,
            `enum value ${type.name}.${value.name} should be UPPER_CASE`,
          );
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!CAMEL_CASE.test(field.name))
          warn(
            'naming/field-camel-case',
            `${type.name}.${field.name}`,
            `input field ${type.name}.${field.name} should be camelCase`,
          );
      }
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields()))
        lintField(type.name, field, entities, writes, warn);
    }
  }
  return warnings;
}

function lintField(
  typeName: string,
  field: GraphQLField<unknown, unknown>,
  entities: ReadonlySet<string>,
  writeRoots: ReadonlySet<string>,
  warn: (rule: string, coordinate: string, message: string) => void,
): void {
  const coordinate = `${typeName}.${field.name}`;
  if (!CAMEL_CASE.test(field.name))
    warn('naming/field-camel-case', coordinate, `field ${coordinate} should be camelCase`);
  for (const argument of field.args) {
    if (!CAMEL_CASE.test(argument.name))
      warn(
        'naming/field-camel-case',
        `${coordinate}(${argument.name}:)`,
        `argument ${coordinate}(${argument.name}:) should be camelCase`,
      );
  }
  const returnsList = isListType(getNullableType(field.type));
  const element = getNamedType(field.type);
  if (!returnsList || !(isObjectType(element) || isInterfaceType(element) || isUnionType(element))) return;
  const paginated = field.args.some((argument) => PAGINATION_ARGUMENTS.has(argument.name));
  if (paginated) {
    warn(
      'pagination/list-with-pagination-args',
      coordinate,
      `${coordinate} pages with first/after but returns a list; return ${element.name}Connection instead`,
    );
  } else if (entities.has(element.name) && !writeRoots.has(typeName)) {
    // Mutations and subscriptions return what they touched; this rule is about reads.
    warn(
      'pagination/unbounded-entity-list',
      coordinate,
      `${coordinate} returns every ${element.name} with no limit; page it with ${element.name}Connection`,
    );
  }
}

function isBuiltInScalar(type: GraphQLNamedType): boolean {
  return ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name);
}

/** Types with a @key in some subgraph: `@join__type(..., key: ...)` in the supergraph. */
export function entityTypes(supergraphSdl: string): Set<string> {
  const entities = new Set<string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION)
      continue;
    const keyed = definition.directives?.some(
      (directive) =>
        directive.name.value === 'join__type' &&
        directive.arguments?.some((argument) => argument.name.value === 'key'),
    );
    if (keyed) entities.add(definition.name.value);
  }
  return entities;
}

/** Coordinate -> subgraphs that declare it, so a warning names who can fix it. */
export function definedIn(documents: ReadonlyMap<string, DocumentNode>): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  const add = (coordinate: string, subgraph: string): void => {
    const set = owners.get(coordinate) ?? new Set<string>();
    set.add(subgraph);
    owners.set(coordinate, set);
  };
  for (const [subgraph, document] of documents) {
    for (const definition of document.definitions) {
      if (!('name' in definition) || !definition.name || definition.kind === Kind.DIRECTIVE_DEFINITION)
        continue;
      const typeName = definition.name.value;
      add(typeName, subgraph);
      if ('fields' in definition) {
        for (const field of definition.fields ?? []) {
          add(`${typeName}.${field.name.value}`, subgraph);
          const args = 'arguments' in field ? (field.arguments ?? []) : [];
          for (const argument of args)
            add(`${typeName}.${field.name.value}(${argument.name.value}:)`, subgraph);
        }
      }
      if ('values' in definition) {
        for (const value of definition.values ?? []) add(`${typeName}.${value.name.value}`, subgraph);
      }
    }
  }
  return owners;
}
