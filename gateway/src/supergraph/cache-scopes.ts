import { Kind, parse, type ConstDirectiveNode } from 'graphql/index.js';
import { directiveArgument, linkedDirectiveName } from './linked-directive.js';

/** The @link URL prefix under which subgraphs compose @cacheControl (`https://terrarium.dev/cache/v1.0`). */
export const CACHE_SPEC_PREFIX = 'https://terrarium.dev/cache/';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

/**
 * The scopes subgraphs declare with `@cacheControl(scope:)` (Apollo Server's cache hints), by
 * schema coordinate: `Type` and `Type.field`. Hints without a scope (maxAge only) are left out.
 */
export type CacheScopes = ReadonlyMap<string, CacheScope>;

/**
 * Reads the @cacheControl scopes from a supergraph SDL: subgraphs keep them through
 * @composeDirective, like @access. A supergraph composed without it carries none (an empty map).
 */
export function readCacheScopes(supergraphSdl: string): CacheScopes {
  const document = parse(supergraphSdl, { noLocation: true });
  const directiveName = linkedDirectiveName(document.definitions, CACHE_SPEC_PREFIX, 'cacheControl', 'cache');
  const scopes = new Map<string, CacheScope>();
  if (!directiveName) return scopes;
  const scopeOf = (directives: readonly ConstDirectiveNode[] | undefined): CacheScope | null => {
    const applied = directives?.find((d) => d.name.value === directiveName);
    if (!applied) return null;
    const value = directiveArgument(applied, 'scope');
    return value?.kind === Kind.ENUM && (value.value === 'PUBLIC' || value.value === 'PRIVATE')
      ? value.value
      : null;
  };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
      definition.kind !== Kind.UNION_TYPE_DEFINITION &&
      definition.kind !== Kind.UNION_TYPE_EXTENSION
    )
      continue;
    const typeName = definition.name.value;
    const onType = scopeOf(definition.directives);
    if (onType) scopes.set(typeName, onType);
    if (definition.kind === Kind.UNION_TYPE_DEFINITION || definition.kind === Kind.UNION_TYPE_EXTENSION)
      continue;
    for (const field of definition.fields ?? []) {
      const onField = scopeOf(field.directives);
      if (onField) scopes.set(`${typeName}.${field.name.value}`, onField);
    }
  }
  return scopes;
}
