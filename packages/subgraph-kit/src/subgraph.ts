import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type GraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { EntityManager, EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { EntityManager as PgEntityManager } from '@mikro-orm/postgresql';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { createErrorFormatter } from '@terrarium/platform/errors';
import {
  createFeatureFlags,
  FEATURE_FLAG_DEFINITIONS_QUERY,
  type FeatureFlags,
  type FlagDefinition,
} from '@terrarium/platform/feature-flags';
import type { RouteHandler } from '@terrarium/platform/http';
import { startMetricsServer, type MetricsServer } from '@terrarium/platform/health';
import { createLogger } from '@terrarium/platform/logger';
import { createCache, type Cache } from './cache.js';
import { collectCacheHints, createCacheControlPlugin } from './cache-policy.js';
import type { SubgraphConfig } from './config.js';
import { createContextFactory, type LoaderDeps, type SubgraphContext } from './context.js';
import { createEntityChangesPlugin, publishEntityChanges } from './entity-changes.js';
import { createFastQueryPath } from './fast-query.js';
import { createMetrics, type SubgraphMetrics } from './metrics.js';
import { createObservePlugin, recordOperation } from './observe.plugin.js';
import { createOrm, migrate, type Orm } from './orm.js';
import { inBackground } from './jobs/background.js';
import { createJobQueue, type JobQueue } from './jobs/job-queue.js';
import { createEventBus, type EventBus } from './pubsub.js';
import { createReadRoutingPlugin, routeQueryReads } from './replicas/read-routing.plugin.js';
import { createReadYourWrites, primaryReads } from './replicas/read-your-writes.js';
import { createRequestListener } from './request-listener.js';
import { seedDemoData } from './seed.js';
import { createServiceClient, type ServiceClient } from './service-client.js';
import { refreshContextPerEvent, serveSubscriptions, tagResultsWithEventIds } from './subscriptions.js';

export interface SubgraphDefinition<TLoaders> {
  config: SubgraphConfig;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers; the codegen'd `Resolvers` type fits here without a cast. */
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>> | object;
  // Entities of any shape: each subgraph's defineEntity types are its own.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  migrations: MigrationObject[];
  /** Builds the request's DataLoaders. */
  createLoaders: (deps: LoaderDeps) => TLoaders;
  /** Demo data, loaded when config.seedDemo is set; must be idempotent (it runs on every start). */
  seed?: (em: PgEntityManager) => Promise<void>;
  /**
   * Plain HTTP routes beside /graphql (ops' JWKS, media's uploads). A key ending in `/*` matches
   * every path under it. These are public: a route checks its own credentials.
   */
  routes?: (deps: RouteDeps) => Record<string, RouteHandler>;
  /** Registers the subgraph's job handlers and schedules (run once the queue is up). */
  jobs?: (deps: JobDeps) => Promise<void>;
  /**
   * Where ctx.flags reads the flag definitions. @default ops' internal featureFlagDefinitions,
   * through the service client (ops itself reads its own table instead).
   */
  loadFeatureFlags?: (deps: {
    orm: Orm;
    services: ServiceClient;
  }) => () => Promise<readonly FlagDefinition[]>;
}

export interface JobDeps {
  jobs: JobQueue;
  orm: Orm;
  events: EventBus;
  services: ServiceClient;
  logger: Logger;
  config: SubgraphConfig;
}

export interface RouteDeps {
  orm: Orm;
  cache: Cache;
  events: EventBus;
  jobs: JobQueue;
  logger: Logger;
  config: SubgraphConfig;
}

export interface Subgraph<TLoaders> {
  readonly name: string;
  readonly config: SubgraphConfig;
  readonly apollo: ApolloServer<SubgraphContext<TLoaders>>;
  readonly orm: Orm;
  readonly cache: Cache;
  readonly events: EventBus;
  readonly jobs: JobQueue;
  readonly flags: FeatureFlags;
  readonly metrics: SubgraphMetrics;
  readonly logger: Logger;
  readonly httpServer: Server;
  /**
   * SQL statements requests sent since start (tests count N+1 with it); job handlers' statements,
   * which run at any moment beside them, count only in the metric.
   */
  sqlStatementCount(): number;
  /** A context as a request would get it, for `apollo.executeOperation` in tests. */
  createContext(caller?: Caller, requestId?: string): SubgraphContext<TLoaders>;
  execute(
    request: GraphQLRequest,
    caller?: Caller,
  ): ReturnType<ApolloServer<SubgraphContext<TLoaders>>['executeOperation']>;
  /** Listens on config.port (0 = any free port) and resolves to the GraphQL URL. */
  listen(port?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds a subgraph from its definition: ORM bound to its schema (migrated, seeded), cache,
 * event bus, Apollo Server with buildSubgraphSchema, and an HTTP server with /graphql (HTTP and
 * graphql-ws), /health, /ready and /metrics. Nothing listens until `listen()`.
 */
export async function createSubgraph<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
): Promise<Subgraph<TLoaders>> {
  const { config } = definition;
  const logger = createLogger(config.name, config.logLevel);
  const metrics = createMetrics(config.name);
  let sqlStatements = 0;
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    entities: definition.entities,
    migrations: definition.migrations,
    logger,
    onQuery: () => {
      if (!inBackground()) sqlStatements += 1;
      metrics.sqlStatements.inc();
    },
    replicaUrls: config.databaseReplicaUrls,
    replicaMaxLagMs: config.replicaMaxLagMs,
    onReplicaChange: (replica, usable) => metrics.replicaUsable.set({ replica }, usable ? 1 : 0),
  });
  // Each replica shows 0 until its first probe finds it fresh.
  config.databaseReplicaUrls.forEach((_, i) => metrics.replicaUsable.set({ replica: `replica-${i + 1}` }, 0));
  await migrate(orm, config.databaseSchema);
  if (config.seedDemo && definition.seed)
    await seedDemoData(orm, config.databaseSchema, definition.seed, logger);

  const cache = createCache({
    namespace: config.name,
    redisUrl: config.redisUrl,
    logger,
    metrics,
    ...(config.cacheBudget ? { budget: config.cacheBudget } : {}),
  });
  const events = createEventBus(config.name, config.redisUrl, logger);
  const services = createServiceClient(config.name, config.serviceUrls, config.internalSecret);
  // Jobs live beside the subgraph's tables, in a schema of their own (see jobs/job-queue.ts).
  const jobs = await createJobQueue({
    databaseUrl: config.databaseUrl,
    schema: `${config.databaseSchema}_jobs`,
    mode: config.jobsMode,
    logger,
    registry: metrics.registry,
  });
  await definition.jobs?.({ jobs, orm, events, services, logger, config });
  const flags = createFeatureFlags({
    load: definition.loadFeatureFlags?.({ orm, services }) ?? (() => loadFlagsFromOps(services)),
    redis: config.redisUrl,
    logger: logger.child({ component: 'feature-flags' }),
  });
  const { createLoaders } = definition;
  const createContext = createContextFactory({
    orm,
    cache,
    events,
    services,
    jobs,
    flags,
    logger,
    createLoaders,
  });

  const schema = buildSubgraphSchema({
    typeDefs: definition.typeDefs,
    resolvers: definition.resolvers as never,
  });
  collectCacheHints(schema);
  refreshContextPerEvent<TLoaders>(schema, (context) => {
    context.em = orm.em.fork() as PgEntityManager;
    // An event reports a change that just happened: its reads go to the primary.
    context.reads = primaryReads();
    context.loaders = createLoaders({
      em: context.em,
      reads: context.reads,
      cache,
      caller: context.caller,
      services,
    });
  });
  tagResultsWithEventIds(schema);

  const httpServer = createServer();
  const subscriptions = serveSubscriptions({
    httpServer,
    schema,
    internalSecret: config.internalSecret,
    createContext,
  });

  const formatError = createErrorFormatter(logger);
  const readYourWrites =
    config.databaseReplicaUrls.length > 0
      ? createReadYourWrites({
          cache,
          windowMs: config.replicaMaxLagMs,
          logger: logger.child({ component: 'read-your-writes' }),
        })
      : undefined;
  const apollo = new ApolloServer<SubgraphContext<TLoaders>>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    csrfPrevention: true,
    // run.ts owns SIGTERM/SIGINT. Apollo's own handler (on outside NODE_ENV=test) re-raises the
    // signal as soon as Apollo has stopped, killing the process (exit 143) before the job queue
    // let its running handlers finish and before the pool and Redis closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // cache-policy.ts computes the same policy on both paths; Apollo's would run beside it.
      ApolloServerPluginCacheControlDisabled(),
      createCacheControlPlugin<SubgraphContext<TLoaders>>(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await subscriptions.dispose();
            },
          };
        },
      },
      createObservePlugin<SubgraphContext<TLoaders>>({ metrics }),
      createEntityChangesPlugin<SubgraphContext<TLoaders>>(events, logger),
      ...(readYourWrites ? [createReadRoutingPlugin<SubgraphContext<TLoaders>>({ readYourWrites })] : []),
    ],
  });
  await apollo.start();
  // The plugins above, as hooks of the path that runs plain queries without Apollo's pipeline.
  const fastQueries = createFastQueryPath<TLoaders>({
    schema,
    introspection: !config.production,
    formatError,
    hooks: {
      ...(readYourWrites ? { beforeQuery: (context) => routeQueryReads(readYourWrites, context) } : {}),
      async afterOperation(context, answer, operation) {
        await publishEntityChanges(events, logger, context.entityChanges, answer);
        recordOperation(metrics, operation.name, answer.errors !== undefined, operation.seconds);
      },
    },
  });

  httpServer.on(
    'request',
    createRequestListener({
      apollo,
      fastQueries,
      createContext,
      internalSecret: config.internalSecret,
      health: {
        health: { status: 'ok', subgraph: config.name },
        isReady: () => orm.isConnected(),
        notReadyStatus: 'database unavailable',
        registry: metrics.registry,
        servesMetrics: config.metricsPort === null,
      },
      routes: definition.routes?.({ orm, cache, events, jobs, logger, config }) ?? {},
      logger,
    }),
  );

  let stopped = false;
  let metricsServer: MetricsServer | undefined;
  return {
    name: config.name,
    config,
    apollo,
    orm,
    cache,
    events,
    jobs,
    flags,
    metrics,
    logger,
    httpServer,
    sqlStatementCount: () => sqlStatements,
    createContext,
    execute: (request, caller = ANONYMOUS) =>
      apollo.executeOperation(request, { contextValue: createContext(caller) }),
    async listen(port = config.port) {
      if (config.metricsPort !== null && !metricsServer) {
        metricsServer = await startMetricsServer(metrics.registry, config.metricsPort, config.host);
        logger.info({ port: metricsServer.port }, 'metrics listening');
      }
      return new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.host, () => {
          const { port: bound } = httpServer.address() as AddressInfo;
          logger.info({ port: bound }, 'subgraph listening');
          resolve(`http://127.0.0.1:${bound}/graphql`);
        });
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Apollo's drain plugin stops accepting, lets in-flight requests finish and closes sockets.
      await apollo.stop();
      subscriptions.close();
      await jobs.stop().catch((err: unknown) => logger.warn({ err }, 'job queue did not stop cleanly'));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await Promise.allSettled([
        orm.close(),
        cache.close(),
        events.close(),
        flags.close(),
        metricsServer?.close(),
      ]);
    },
  };
}

/** ops' flags as a service sees them; an error answer throws, so the cache keeps its last copy. */
async function loadFlagsFromOps(services: ServiceClient): Promise<readonly FlagDefinition[]> {
  const result = await services.call<{ featureFlagDefinitions: FlagDefinition[] }>(
    'ops',
    FEATURE_FLAG_DEFINITIONS_QUERY,
  );
  if (!result.data || result.errors.length > 0)
    throw new Error(`ops refused the feature flags: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.data.featureFlagDefinitions;
}

export type { EntityManager };
