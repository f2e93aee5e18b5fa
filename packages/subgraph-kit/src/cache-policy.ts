// 'graphql/index.js', not 'graphql': the CommonJS build @apollo/subgraph built the schema with (see
// gateway/src/errors.ts); under vitest 'graphql' resolves to the ESM build, a second copy.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  defaultFieldResolver,
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

/** One resolved field's policy; `zeroIfUnset`: the default max age (0) applies if nothing set one. */
class FieldPolicy extends CachePolicy {
  constructor(readonly zeroIfUnset: boolean) {
    super();
  }
}

/**
 * An operation's policy: the fields its resolutions produced, folded in once the answer is
 * complete. Apollo folds each field in when its value settles, one more promise per async field;
 * the fold at the end gives the same policy (restricting is order-free, and a field's hint is final
 * once its value settled), except for a field still unsettled when the answer leaves, which only
 * happens after an error, when no answer is cacheable anyway.
 */
export class OperationCachePolicy extends CachePolicy {
  private readonly fields: FieldPolicy[] = [];

  add(field: FieldPolicy): void {
    this.fields.push(field);
  }

  /** Folds in the fields' policies; call when the answer is complete. */
  settle(): this {
    for (const field of this.fields) {
      if (field.zeroIfUnset && field.maxAge === undefined) field.restrict({ maxAge: 0 });
      this.restrict(field);
    }
    this.fields.length = 0;
    return this;
  }
}

/** `info.cacheControl` as Apollo's plugin sets it, which resolvers and @apollo/subgraph use. */
class FieldCacheControl {
  constructor(
    readonly cacheHint: FieldPolicy,
    readonly cacheHintFromType: (type: GraphQLCompositeType) => CacheAnnotation,
  ) {}

  setCacheHint(hint: CacheHint): void {
    this.cacheHint.replace(hint);
  }
}

/** What a context carries for the field wrappers below: the operation's overall policy. */
export interface CachePolicyHolder {
  cachePolicy?: OperationCachePolicy;
}

/**
 * The header Apollo's plugin writes once the answer is complete: `max-age=N, public|private` when
 * cacheable and error-free, else `no-store`.
 */
export function cacheControlHeader(policy: OperationCachePolicy, hasErrors: boolean): string {
  const cacheable = hasErrors ? null : policy.settle().policyIfCacheable();
  return cacheable ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : 'no-store';
}

/**
 * Wraps the resolvers of every field that can change an operation's policy so that each resolution
 * adds its field policy to `context.cachePolicy`, worked out as Apollo's plugin would: fields returning an object, interface or
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
  // What Apollo's willResolveField works out for every resolution depends only on the field: the
  // hint it starts from (its type's, then its own) and whether the default max age applies.
  const typePolicy = compositeType ? typeHint(compositeType) : {};
  const inheritsFromField = fieldHint.inheritMaxAge === true && typePolicy.maxAge === undefined;
  const start = new CachePolicy();
  start.replace(typePolicy);
  start.replace(inheritsFromField ? { ...(fieldHint.scope ? { scope: fieldHint.scope } : {}) } : fieldHint);
  const inheritMaxAge = typePolicy.inheritMaxAge === true || inheritsFromField;
  const zeroIfUnset = compositeType !== null && !inheritMaxAge;

  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context: CachePolicyHolder | undefined, info) => {
    const overall = context?.cachePolicy;
    if (!overall) return resolve(source, args, context, info);
    // A root field takes the default too (path.prev: a field of the Query type can also be nested).
    const fieldPolicy = new FieldPolicy(zeroIfUnset || info.path.prev === undefined);
    fieldPolicy.replace(start);
    (info as { cacheControl?: unknown }).cacheControl = new FieldCacheControl(fieldPolicy, typeHint);
    overall.add(fieldPolicy);
    return resolve(source, args, context, info);
  };
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
