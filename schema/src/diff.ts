import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import type { Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import type { Criticality, SchemaChange } from './report/types.js';

/**
 * The API schema clients see: the supergraph minus federation machinery and @inaccessible
 * elements. Throws when the SDL is not a valid supergraph.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

const CRITICALITY: Record<CriticalityLevel, Criticality> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** Inspector's changes from `before` to `after`, with schema coordinates; usage and acks come later. */
export async function diffApiSchemas(before: GraphQLSchema, after: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = await diff(before, after);
  return changes.map((change) => ({
    type: change.type as string,
    criticality: CRITICALITY[change.criticality.level],
    coordinate: coordinateOf(change),
    message: change.message,
    reason: change.criticality.reason ?? null,
    usedBy: [],
    acknowledgedIn: null,
  }));
}

/** These two put the directive name in the third path segment without its `@`. */
const FIELD_DIRECTIVE_USAGE = new Set(['DIRECTIVE_USAGE_FIELD_ADDED', 'DIRECTIVE_USAGE_FIELD_REMOVED']);

/**
 * Inspector paths are dot-joined (`Query.product.id` for an argument, `Product.name.@deprecated`
 * for a directive usage); schema coordinates write arguments as `Query.product(id:)` and directive
 * arguments as `@dir(arg:)`. A directive usage is reported on the element that carries it.
 */
export function coordinateOf(change: Pick<Change, 'path' | 'type' | 'message'>): string {
  const path = change.path;
  if (!path) return '(schema)';
  if (path.startsWith('@')) {
    const [directive, argument] = path.split('.');
    return argument ? `${directive}(${argument}:)` : directive!;
  }
  let segments = path.split('.');
  const directiveAt = segments.findIndex((segment) => segment.startsWith('@'));
  if (directiveAt >= 0) segments = segments.slice(0, directiveAt);
  if (FIELD_DIRECTIVE_USAGE.has(change.type as string)) segments = segments.slice(0, 2);
  segments = segments.filter((segment) => segment !== '' && segment !== 'undefined');
  const [type, field, argument] = segments;
  if (!type) return path.startsWith('.@') ? path.slice(1) : '(schema)';
  if (!field) return type;
  return argument ? `${type}.${field}(${argument}:)` : `${type}.${field}`;
}
