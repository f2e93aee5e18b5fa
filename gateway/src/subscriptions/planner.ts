import { buildOperationContext, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { FetchNode, QueryPlan } from '@apollo/query-planner';
// 'graphql/index.js': the CommonJS build the federation packages use (see src/errors.ts).
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql/index.js';
import { LRUCache } from 'lru-cache';
import { readAccessPolicy, type AccessPolicy } from '../access/policy.js';
import { ErrorCode } from '../errors.js';
import { readCacheScopes, type CacheScopes } from '../supergraph/cache-scopes.js';
import type { SupergraphGeneration } from '../supergraph/generation.js';
import { isShareable } from './sharing.js';

/** The primary fetch is pointed at this service name, which only ever answers with the event. */
export const EVENT_SOURCE = '__subscription_event__';

/** Plans and parsed documents kept per supergraph (operations are few; clients repeat them). */
const CACHE_ENTRIES = 500;

export type OperationContext = ReturnType<typeof buildOperationContext>;

/** What the query planner made of a subscription, ready to run for each event. */
export interface SubscriptionPlan {
  readonly generation: Generation;
  /** The subgraph that owns the subscription field. */
  readonly subgraph: string;
  /** The subscription sent to that subgraph (the plan's primary fetch). */
  readonly upstream: {
    readonly query: string;
    readonly operationName: string | undefined;
    readonly variableUsages: readonly string[];
  };
  /** The primary fetch (answered by the event) followed by the rest of the selection. */
  readonly queryPlan: QueryPlan;
  readonly operationContext: OperationContext;
  /** Same value, same upstream subscription: a stream keeps its upstream across a supergraph update only then. */
  readonly upstreamKey: string;
  /** Every caller gets the same events (see sharing.ts): one stream may serve callers of all kinds. */
  readonly shareable: boolean;
}

export type Compiled =
  { plan: SubscriptionPlan; document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * One supergraph as the subscription path sees it: the shared generation's API schema
 * (validation), supergraph schema and query planner (../supergraph/, the fast path's too), and a
 * data source per subgraph for the rest of each event's selection.
 */
export class Generation {
  readonly apiSchema: Schema;
  readonly supergraphSchema: GraphQLSchema;
  /** The API schema ApolloGateway serves (the same object its plugins see). */
  readonly schema: GraphQLSchema;
  readonly services: ServiceMap;
  private readonly urls = new Map<string, string>();
  private readonly supergraph: SupergraphGeneration;
  private readonly compiled = new LRUCache<string, Compiled>({ max: CACHE_ENTRIES });
  /** What makes a selection personal; null when the supergraph's could not be read (nothing is shared). */
  private readonly personal: { access: AccessPolicy; scopes: CacheScopes } | null;

  constructor(
    supergraph: SupergraphGeneration,
    buildService: (endpoint: { name: string; url: string }) => GraphQLDataSource,
    private readonly maxTokens: number,
  ) {
    this.supergraph = supergraph;
    this.schema = supergraph.schema;
    this.apiSchema = supergraph.apiSchema;
    this.supergraphSchema = supergraph.supergraphSchema;
    const services: ServiceMap = Object.create(null);
    for (const { name, url } of supergraph.subgraphs()) {
      this.urls.set(name, url);
      services[name] = buildService({ name, url });
    }
    this.services = services;
    this.personal = readPersonal(supergraph.coreSupergraphSdl);
  }

  /** The subgraph's URL as the supergraph declares it (overrides are the caller's business). */
  subgraphUrl(name: string): string | undefined {
    return this.urls.get(name);
  }

  /**
   * Parses, validates and plans a subscription operation; errors carry GraphQL's codes. Cached by
   * source and operation name: a thousand clients of one widget cost one plan.
   */
  compile(source: string, operationName: string | null | undefined): Compiled {
    const key = `${operationName ?? ''}\n${source}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = this.compileUncached(source, operationName ?? undefined);
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private compileUncached(source: string, operationName: string | undefined): Compiled {
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: this.maxTokens });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        errors: [new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })],
      };
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) {
      return {
        errors: invalid.map(
          (e) =>
            new GraphQLError(e.message, {
              nodes: e.nodes,
              extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
            }),
        ),
      };
    }
    let operationContext: OperationContext;
    try {
      operationContext = buildOperationContext({
        schema: this.schema,
        operationDocument: document,
        ...(operationName ? { operationName } : {}),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        errors: [new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE } })],
      };
    }
    if (operationContext.operation.operation !== 'subscription') {
      // Queries and mutations go through the HTTP path, where the request guards (rate limits,
      // blocklists) and Apollo Server's plugins run.
      const message = 'Only subscriptions are served here; send queries and mutations as HTTP POST /graphql.';
      return { errors: [new GraphQLError(message, { extensions: { code: ErrorCode.BAD_REQUEST } })] };
    }
    const node = this.supergraph.planner.buildQueryPlan(
      operationFromDocument(this.apiSchema, document, { operationName }),
    ).node;
    if (node?.kind !== 'Subscription') {
      return {
        errors: [
          new GraphQLError('The query planner made no subscription plan for this operation.', {
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
          }),
        ],
      };
    }
    // The primary fetch stays in the plan, so Apollo's executor merges the event exactly as it
    // would merge that subgraph's answer (output rewrites included), but under a service name of
    // its own: the rest may fetch from the same subgraph and must reach the real one.
    const primary: FetchNode = { ...node.primary, serviceName: EVENT_SOURCE };
    return {
      document,
      plan: {
        generation: this,
        subgraph: node.primary.serviceName,
        upstream: {
          query: node.primary.operation,
          operationName: node.primary.operationName,
          variableUsages: node.primary.variableUsages ?? [],
        },
        queryPlan: {
          kind: 'QueryPlan',
          node: node.rest ? { kind: 'Sequence', nodes: [primary, node.rest] } : primary,
        },
        operationContext,
        upstreamKey: `${node.primary.serviceName}\n${this.urls.get(node.primary.serviceName) ?? ''}\n${node.primary.operation}`,
        shareable:
          this.personal !== null &&
          isShareable(
            this.schema,
            document,
            operationContext.operation,
            this.personal.access,
            this.personal.scopes,
          ),
      },
    };
  }
}

/**
 * The supergraph's @access policy and @cacheControl scopes, or null when either cannot be read:
 * then no subscription is shared (the HTTP path refuses a supergraph with a malformed @access).
 */
function readPersonal(supergraphSdl: string): { access: AccessPolicy; scopes: CacheScopes } | null {
  try {
    return { access: readAccessPolicy(supergraphSdl), scopes: readCacheScopes(supergraphSdl) };
  } catch {
    return null;
  }
}
