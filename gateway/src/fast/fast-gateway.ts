import type { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLError,
  GraphQLNonNull,
  GraphQLSchema,
  GraphQLString,
  getVariableValues,
} from 'graphql/index.js';
import type { Logger } from 'pino';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { parseAnnouncedChanges } from '@terrarium/platform/entity-changes';
import { Counter } from 'prom-client';
import { cacheScopeOf, type EntityCache } from '../entity-cache/entity-cache.js';
import type { GatewayContext } from '../http/context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { SupergraphSource } from '../supergraph/supergraph-source.js';
import { upstreamHeaders } from '../upstream/headers.js';
import { PlanExecution, type CachePolicyLike, type ExecutionInput } from './execute.js';
import { IncrementalExecution } from './incremental.js';
import {
  createIncrementalDelivery,
  type FormatError,
  type IncrementalDelivery,
} from './incremental-delivery.plugin.js';
import { PreparedOperations, type PlanLimitSwitches } from './prepare.js';
import { shapeResponse, type Shaped } from './shape.js';
import { SubgraphClient } from './subgraph-client.js';

export interface FastGatewayOptions {
  /** The supergraph generations (and their shared query planner) Apollo Gateway loads. */
  supergraphs: SupergraphSource;
  /** ApolloGateway's planner limit switches, so a plan is refused or built as stock would. */
  planLimits: PlanLimitSwitches;
  /** The URL and fetch timeout of a subgraph, from its name and the URL the supergraph gives it. */
  subgraph(name: string, supergraphUrl: string): { url: string; timeoutMs: number; maxResponseBytes: number };
  metrics: GatewayMetrics;
  logger: Logger;
  /** Let concurrent requests of the same caller share an identical in-flight query fetch. @default true */
  shareInflightFetches?: boolean;
  /** Caches `_entities` and root-field answers across requests (gateway/src/entity-cache/); null: off. */
  entityCache?: EntityCache | null;
  /** Apollo Server's formatError, for the errors of deferred parts (Apollo formats the first part's). */
  formatError: FormatError;
}

export interface FastGateway extends GatewayInterface {
  /**
   * Delivers @defer operations in parts (multipart HTTP) when installed in Apollo Server's
   * plugins; without it, such operations are answered whole.
   */
  readonly incrementalDeliveryPlugin: IncrementalDelivery['plugin'];
}

/** Operations executed, by executor (`fast`, or `stock` for what the fast path leaves to Apollo Gateway). */
const EXECUTIONS_METRIC = 'gateway_operation_executions_total';

/**
 * Terrarium's execution path for queries and mutations: an Apollo Server `gateway` that is
 * Apollo Gateway (which keeps loading, validating, hot-reloading the supergraph and planning
 * queries) with a faster executor. Apollo Server's request pipeline is untouched, so every check
 * of the gateway runs before execution exactly as it would without this: the HTTP guards of
 * request-handler.ts (CORS, blocklist, identity, rate limit), Apollo's parsing, validation and
 * CSRF prevention, and every plugin (operation limits, @access, persisted queries, metrics).
 *
 * The executor prepares each operation once (the federation `Operation`, the shared query
 * plan, the plan compiled for execution, the response shaping compiled) and then runs it against
 * the subgraphs through its own undici pools. Anything it does not execute itself (schema
 * introspection, @fromContext, Studio traces, the query-plan debugging header, a request that
 * arrives while the supergraph is being swapped) goes to Apollo Gateway's own executor.
 *
 * @defer: the schema Apollo Server validates against gains the @defer directive (Apollo Gateway's
 * lacks it). A client that accepts `multipart/mixed;deferSpec=20220824` gets the answer in parts
 * (incremental.ts, incremental-delivery.plugin.ts); any other gets the whole answer in one, as
 * if there were no @defer.
 */
export function createFastGateway(gateway: ApolloGateway, options: FastGatewayOptions): FastGateway {
  const { metrics, logger } = options;
  const share = options.shareInflightFetches ?? true;
  const entityCache = options.entityCache ?? null;
  const applyEntityChanges = async (announced: unknown): Promise<void> => {
    const changes = parseAnnouncedChanges(announced);
    if (changes && entityCache) await entityCache.invalidate(changes);
  };
  /** By the API schema Apollo Server validates against, so a request always meets its own supergraph's planner. */
  const generations = new WeakMap<GraphQLSchema, PreparedOperations>();
  /** By subgraph name, URL and timeout: a reload that changes neither keeps the pool. */
  const pools = new Map<string, SubgraphClient>();
  let clientsByGeneration = new WeakMap<PreparedOperations, ReadonlyMap<string, SubgraphClient>>();
  let stock: GatewayExecutor | null = null;
  /** Mutations finished in this process; part of every share key, so later queries never join older fetches. */
  let mutationEpoch = 0;
  const executions = new Counter({
    name: EXECUTIONS_METRIC,
    help: 'Operations executed, by executor: the fast path, or stock Apollo Gateway for what it leaves',
    labelNames: ['executor'],
    registers: [metrics.registry],
  });
  const fastExecutions = executions.labels({ executor: 'fast' });
  const stockExecutions = executions.labels({ executor: 'stock' });
  const delivery = createIncrementalDelivery({ formatError: options.formatError });
  /** Apollo Gateway's API schema -> the same with @defer, the schema Apollo Server validates against. */
  const withDefer = new WeakMap<GraphQLSchema, GraphQLSchema>();
  const deferrable = (schema: GraphQLSchema): GraphQLSchema => {
    let known = withDefer.get(schema);
    if (!known) {
      known = withDeferDirective(schema);
      withDefer.set(schema, known);
    }
    return known;
  };

  options.supergraphs.onGeneration((supergraph) => {
    const generation = new PreparedOperations(supergraph, options.planLimits);
    const clients = new Map<string, SubgraphClient>();
    for (const { name, url } of supergraph.subgraphs()) {
      const target = options.subgraph(name, url);
      const key = `${name}\u0000${target.url}\u0000${target.timeoutMs}`;
      let client = pools.get(key);
      if (!client) {
        client = new SubgraphClient({
          name,
          url: target.url,
          timeoutMs: target.timeoutMs,
          maxResponseBytes: target.maxResponseBytes,
          metrics,
        });
        pools.set(key, client);
      }
      clients.set(name, client);
    }
    clientsByGeneration.set(generation, clients);
    generations.set(supergraph.schema, generation);
    generations.set(deferrable(supergraph.schema), generation);
  });

  const fallback = (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    stockExecutions.inc();
    if (!stock) throw new Error('The gateway is not loaded yet.');
    return stock(requestContext);
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const generation = generations.get(requestContext.schema);
    const { request } = requestContext;
    if (
      !generation ||
      requestContext.metrics?.captureTraces ||
      request.http?.headers.get('apollo-query-plan-experimental')
    ) {
      return fallback(requestContext);
    }
    const prepared = generation.prepare(
      requestContext.queryHash,
      request.operationName ?? null,
      requestContext.document,
      requestContext.operation,
      delivery.accepts(request.http?.headers.get('accept') ?? undefined),
    );
    if ('reason' in prepared) {
      logger.debug(
        { operationName: requestContext.operationName, reason: prepared.reason },
        'operation runs on stock execution',
      );
      return fallback(requestContext);
    }
    fastExecutions.inc();
    if (prepared.variableDefinitions) {
      const none = isEmpty(request.variables);
      if (!none || !prepared.passesWithoutVariables) {
        const { errors } = getVariableValues(
          requestContext.schema,
          prepared.variableDefinitions,
          request.variables ?? {},
        );
        if (errors) return { errors };
        // The check of "no variables" depends on the operation only (defaults, nullability).
        if (none) prepared.passesWithoutVariables = true;
      }
    }

    const context = requestContext.context as Partial<GatewayContext>;
    const headers = upstreamHeaders(context);
    const policy = requestContext.overallCachePolicy as Partial<CachePolicyLike> | undefined;
    const input: ExecutionInput = {
      variables: request.variables,
      clients: clientsByGeneration.get(generation)!,
      headers,
      // Shared only between requests acting for the same caller (the token is who they act as),
      // never within a mutation, and never with a fetch that started before a mutation ended
      // here (so a client reads its own writes, at least through this gateway process).
      shareKeyPrefix: share && !prepared.mutation ? `${mutationEpoch}\n${context.callerToken ?? ''}\n` : null,
      cachePolicy: policy && typeof policy.restrict === 'function' ? (policy as CachePolicyLike) : null,
      // Never within a mutation: what it writes is read back from the subgraphs, not from before.
      entityCache:
        entityCache && !prepared.mutation
          ? { cache: entityCache, scope: cacheScopeOf(context.caller ?? ANONYMOUS) }
          : null,
      applyEntityChanges: entityCache ? applyEntityChanges : null,
      logger: context.logger ?? logger,
    };
    let execution = new PlanExecution(input);
    let shaped: Shaped;
    try {
      if (prepared.incremental) {
        const outcome = await new IncrementalExecution(input, prepared.mutation).run(prepared.incremental);
        if (outcome.kind === 'failed') return { errors: [outcome.error] };
        if (outcome.kind === 'parts') {
          delivery.later(requestContext.context, outcome.subsequent);
          const errors = outcome.errors as GraphQLError[];
          shaped = outcome.initial;
          if (errors.length === 0 && shaped.errors.length > 0)
            return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
          return errors.length === 0 ? { data: shaped.data } : { errors, data: shaped.data };
        }
        execution = outcome.execution;
      } else if (prepared.plan) {
        await execution.run(prepared.plan);
      }
    } finally {
      if (prepared.mutation) mutationEpoch += 1;
    }

    try {
      shaped = shapeResponse(prepared.shaper, execution.data, request.variables);
    } catch (err) {
      const error = err as Error;
      return {
        errors: [
          error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error }),
        ],
      };
    }
    const errors = execution.errors as GraphQLError[];
    // As stock: completion errors are reported only when execution had none, and not as errors
    // (clients have long relied on their absence) but under `extensions.valueCompletion`.
    if (errors.length === 0 && shaped.errors.length > 0)
      return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return errors.length === 0 ? { data: shaped.data } : { errors, data: shaped.data };
  };

  return {
    incrementalDeliveryPlugin: delivery.plugin,
    onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
      return gateway.onSchemaLoadOrUpdate((schemaContext) =>
        callback({ ...schemaContext, apiSchema: deferrable(schemaContext.apiSchema) }),
      );
    },
    async load(loadOptions): Promise<GatewayLoadResult> {
      const loaded = await gateway.load(loadOptions);
      stock = loaded.executor;
      return { ...loaded, executor };
    },
    async stop() {
      await gateway.stop();
      const closing = [...pools.values()].map((client) => client.close());
      pools.clear();
      clientsByGeneration = new WeakMap();
      await Promise.all(closing);
    },
  };
}

/** `directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT`, as federation defines it. */
const DEFER_DIRECTIVE = new GraphQLDirective({
  name: 'defer',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: {
    label: { type: GraphQLString },
    if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true },
  },
});

function withDeferDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective('defer')) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, DEFER_DIRECTIVE] });
}

function isEmpty(variables: Record<string, unknown> | undefined): boolean {
  if (!variables) return true;
  for (const _ in variables) return false;
  return true;
}
