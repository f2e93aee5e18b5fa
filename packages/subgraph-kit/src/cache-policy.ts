// 'graphql/index.js', not 'graphql': the CommonJS build @apollo/subgraph built the schema with (see
// gateway/src/errors.ts); under vitest 'graphql' resolves to the ESM build, a second copy.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isCompositeType,
  isIntrospectionType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql/index.js';

/**
 * An operation's cache policy, computed from the schema's `@cacheControl` hints the way Apollo
 * Server's cache-control plugin computes it (its `willResolveField` logic, ported field for field),
 * and told in the answer's `Cache-Control` header: the gateway's entity cache takes its TTLs and
 * scope from it. The port exists because the kit's query fast path (fast-query.ts) runs operations
 * outside Apollo's request pipeline, where that plugin's per-field hooks do not run; both paths use
 * this one, so a hint means the same on either (Apollo's own plugin is disabled in the subgraph).
 */

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
}

interface CacheAnnotation extends CacheHint {
  inheritMaxAge?: true;
}

/** Apollo's CachePolicy: `restrict` keeps the shorter age and a private scope, `replace` overwrites. */
export class CachePolicy implements CacheHint {
  maxAge: number | undefined = undefined;
  scope: CacheScope | undefined = undefined;

  restrict(hint: CacheHint): void {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge))
      this.maxAge = hint.maxAge;
    if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
  }

  replace(hint: CacheHint): void {
    if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined) this.scope = hint.scope;
  }

  policyIfCacheable(): { maxAge: number; scope: CacheScope } | null {
    if (this.maxAge === undefined || this.maxAge === 0) return null;
    return { maxAge: this.maxAge, scope: this.scope ?? 'PUBLIC' };
  }
}

/** What a context carries for the field wrappers below: the operation's overall policy. */
export interface CachePolicyHolder {
  cachePolicy?: CachePolicy;
}

/** The header Apollo's plugin writes: `max-age=N, public|private` when cacheable and error-free, else `no-store`. */
export function cacheControlHeader(policy: CachePolicy, hasErrors: boolean): string {
  const cacheable = hasErrors ? null : policy.policyIfCacheable();
  return cacheable ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : 'no-store';
}

/**
 * Wraps the resolvers of every field that can change an operation's policy so that each resolution
 * restricts `context.cachePolicy` as Apollo's plugin would: fields returning an object, interface or
 * union (their type's hint, else the default max age of 0 unless they inherit it), fields with
 * their own `@cacheControl`, root fields, and fields with a resolver of their own (it may set a
 * dynamic hint through `info.cacheControl`, as @apollo/subgraph's `_entities` does with each
 * entity type's hint). A scalar field read by the default resolver with no hint cannot change the
 * policy, and is left alone: most of a result's fields, at no cost. Call once, before Apollo Server
 * starts.
 */
export function collectCacheHints(schema: GraphQLSchema): void {
  const typeHints = new Map<GraphQLCompositeType, CacheAnnotation>();
  const typeHint = (type: GraphQLCompositeType): CacheAnnotation => {
    let hint = typeHints.get(type);
    if (!hint) {
      hint = typeAnnotation(type);
      typeHints.set(type, hint);
    }
    return hint;
  };
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const namedType = getNamedType(field.type);
      const fieldHint = annotationFromDirectives(field.astNode?.directives) ?? {};
      const composite = isCompositeType(namedType);
      const mayMatter = composite || rootTypes.has(type) || field.resolve !== undefined || hasHint(fieldHint);
      if (mayMatter) wrapField(field, composite ? namedType : null, fieldHint, typeHint);
    }
  }
}

function wrapField(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  field: GraphQLField<unknown, any>,
  compositeType: GraphQLCompositeType | null,
  fieldHint: CacheAnnotation,
  typeHint: (type: GraphQLCompositeType) => CacheAnnotation,
): void {
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultResolve;
  field.resolve = (source, args, context: CachePolicyHolder | undefined, info) => {
    const overall = context?.cachePolicy;
    if (!overall) return resolve(source, args, context, info);
    const fieldPolicy = new CachePolicy();
    let inheritMaxAge = false;
    if (compositeType) {
      const hint = typeHint(compositeType);
      fieldPolicy.replace(hint);
      inheritMaxAge = hint.inheritMaxAge === true;
    }
    if (fieldHint.inheritMaxAge && fieldPolicy.maxAge === undefined) {
      inheritMaxAge = true;
      if (fieldHint.scope) fieldPolicy.replace({ scope: fieldHint.scope });
    } else {
      fieldPolicy.replace(fieldHint);
    }
    (info as { cacheControl?: unknown }).cacheControl = {
      setCacheHint: (hint: CacheHint) => fieldPolicy.replace(hint),
      cacheHint: fieldPolicy,
      cacheHintFromType: typeHint,
    };
    const isRoot = info.path.prev === undefined;
    const finish = () => {
      if (fieldPolicy.maxAge === undefined && ((compositeType && !inheritMaxAge) || isRoot))
        fieldPolicy.restrict({ maxAge: 0 });
      overall.restrict(fieldPolicy);
    };
    let result: unknown;
    try {
      result = resolve(source, args, context, info);
    } catch (err) {
      finish();
      throw err;
    }
    whenFinished(result, finish);
    return result;
  };
}

/** graphql-js's default resolver (property or method of the source), for wrapped fields without one. */
const defaultResolve: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === 'function' ? value.call(source, args, context, info) : value;
};

/** Runs `finish` once the field's value has settled: a promise, or a list holding promises. */
function whenFinished(result: unknown, finish: () => void): void {
  if (isPromiseLike(result)) {
    result.then(finish, finish);
  } else if (Array.isArray(result) && result.some(isPromiseLike)) {
    Promise.all(result).then(finish, finish);
  } else {
    finish();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function hasHint(hint: CacheAnnotation): boolean {
  return hint.maxAge !== undefined || hint.scope !== undefined || hint.inheritMaxAge === true;
}

function typeAnnotation(type: GraphQLCompositeType): CacheAnnotation {
  const own = annotationFromDirectives(type.astNode?.directives);
  if (own) return own;
  for (const extension of type.extensionASTNodes) {
    const hint = annotationFromDirectives(extension.directives);
    if (hint) return hint;
  }
  return {};
}

/** `@cacheControl(maxAge:, scope:, inheritMaxAge:)` as Apollo reads it; undefined without the directive. */
function annotationFromDirectives(
  directives: readonly ConstDirectiveNode[] | undefined,
): CacheAnnotation | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const scopeValue = argument('scope');
  const scopeName = scopeValue?.kind === 'EnumValue' ? scopeValue.value : undefined;
  const scope = scopeName === 'PUBLIC' || scopeName === 'PRIVATE' ? scopeName : undefined;
  const inherit = argument('inheritMaxAge');
  if (inherit?.kind === 'BooleanValue' && inherit.value)
    return { inheritMaxAge: true, ...(scope ? { scope } : {}) };
  const maxAge = argument('maxAge');
  return {
    ...(maxAge?.kind === 'IntValue' ? { maxAge: parseInt(maxAge.value, 10) } : {}),
    ...(scope ? { scope } : {}),
  };
}

/**
 * Apollo Server's side of the policy, for the operations its pipeline runs (mutations, and what
 * the fast path hands back): the `Cache-Control` header from `context.cachePolicy` when the answer
 * leaves, unless something already set one.
 */
export function createCacheControlPlugin<TContext extends CachePolicyHolder>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const policy = contextValue.cachePolicy;
          if (!policy || response.http.headers.has('cache-control')) return;
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const hasErrors = !single || (single.errors?.length ?? 0) > 0;
          response.http.headers.set('cache-control', cacheControlHeader(policy, hasErrors));
        },
      };
    },
  };
}
