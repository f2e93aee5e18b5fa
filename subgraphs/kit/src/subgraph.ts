import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { EntityManager, EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { EntityManager as PgEntityManager } from '@mikro-orm/postgresql';
import type { DocumentNode } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { ANONYMOUS, CALLER_HEADER, verifyCaller, type Caller } from './caller.js';
import { createCache, type Cache } from './cache.js';
import type { SubgraphConfig } from './config.js';
import { createErrorFormatter } from './errors.js';
import { HttpError, handleGraphQL, sendGraphQLError, sendJson, type RouteHandler } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics, type SubgraphMetrics } from './metrics.js';
import { createOrm, migrate, type Orm } from './orm.js';
import { createEventBus, type EventBus } from './pubsub.js';
import { createServiceClient, type ServiceClient } from './service-client.js';
import { createJobQueue, type JobQueue } from './jobs/job-queue.js';

/** What every resolver receives. */
export interface SubgraphContext<TLoaders = unknown> {
  /** This operation's own EntityManager fork; the global one is never used. */
  em: PgEntityManager;
  caller: Caller;
  loaders: TLoaders;
  cache: Cache;
  events: EventBus;
  services: ServiceClient;
  /** The subgraph's job queue: `jobs.enqueue(em, job, payload)` in the write's transaction. */
  jobs: JobQueue;
  logger: Logger;
  requestId: string;
}

export interface LoaderDeps {
  em: PgEntityManager;
  cache: Cache;
  caller: Caller;
  /** For loaders that batch calls to another subgraph (commerce's product prices). */
  services: ServiceClient;
}

export interface SubgraphDefinition<TLoaders> {
  config: SubgraphConfig;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers; the codegen'd `Resolvers` type fits here without a cast. */
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>> | object;
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
  readonly metrics: SubgraphMetrics;
  readonly logger: Logger;
  readonly httpServer: Server;
  /** SQL statements sent since start (tests count N+1 with it). */
  sqlStatementCount(): number;
  /** A context as a request would get it, for `apollo.executeOperation` in tests. */
  createContext(caller?: Caller, requestId?: string): SubgraphContext<TLoaders>;
  execute(request: GraphQLRequest, caller?: Caller): ReturnType<ApolloServer<SubgraphContext<TLoaders>>['executeOperation']>;
  /** Listens on config.port (0 = any free port) and resolves to the GraphQL URL. */
  listen(port?: number): Promise<string>;
  stop(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds a subgraph from its definition: ORM bound to its schema (migrated, seeded), cache,
 * event bus, Apollo Server with buildSubgraphSchema, and an HTTP server with /graphql (HTTP and
 * graphql-ws), /health, /ready and /metrics. Nothing listens until `listen()`.
 */
export async function createSubgraph<TLoaders>(definition: SubgraphDefinition<TLoaders>): Promise<Subgraph<TLoaders>> {
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
      sqlStatements += 1;
      metrics.sqlStatements.inc();
    },
  });
  await migrate(orm, config.databaseSchema);
  if (config.seedDemo && definition.seed) {
    const em = orm.em.fork() as PgEntityManager;
    await em.transactional(async (tx) => {
      await tx.getConnection().execute(`select pg_advisory_xact_lock(hashtext('terrarium-seed:${config.databaseSchema}'))`, [], 'all', tx.getTransactionContext());
      await definition.seed!(tx);
    });
    logger.info('demo data loaded');
  }

  const cache = createCache({ namespace: config.name, redisUrl: config.redisUrl, logger, metrics });
  const events = createEventBus(config.name, config.redisUrl, logger);
  const services = createServiceClient(config.name, config.serviceUrls, config.internalSecret);
  // Jobs live beside the subgraph's tables, in a schema of their own (see jobs/job-queue.ts).
  const jobs = await createJobQueue({ databaseUrl: config.databaseUrl, schema: `${config.databaseSchema}_jobs`, mode: config.jobsMode, logger, registry: metrics.registry });
  await definition.jobs?.({ jobs, orm, events, services, logger, config });
  const schema = buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never });
  // graphql-ws builds one context per subscription, but every event is a new read: give each
  // event a fresh EntityManager fork and fresh DataLoaders, so no event sees an earlier one's cache.
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = (payload, args, context: SubgraphContext<TLoaders>, info) => {
      context.em = orm.em.fork() as PgEntityManager;
      context.loaders = definition.createLoaders({ em: context.em, cache, caller: context.caller, services });
      return resolve(payload, args, context, info);
    };
  }

  const createContext = (caller: Caller = ANONYMOUS, requestId: string = randomUUID()): SubgraphContext<TLoaders> => {
    const em = orm.em.fork() as PgEntityManager;
    return {
      em,
      caller,
      loaders: definition.createLoaders({ em, cache, caller, services }),
      cache,
      events,
      services,
      jobs,
      logger: logger.child({ requestId }),
      requestId,
    };
  };

  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer(
    {
      schema,
      // The gateway (or a service) opens the connection with its signed caller token.
      onConnect: async (ctx) => {
        const token = ctx.connectionParams?.[CALLER_HEADER];
        try {
          (ctx.extra as { caller?: Caller }).caller = await verifyCaller(typeof token === 'string' ? token : undefined, config.internalSecret);
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => createContext((ctx.extra as { caller?: Caller }).caller ?? ANONYMOUS),
    },
    wsServer,
  );

  const observe: ApolloServerPlugin<SubgraphContext<TLoaders>> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.operations.observe({ operation: operationName ?? 'anonymous', status: errors?.length ? 'error' : 'ok' }, seconds);
        },
      };
    },
  };

  const apollo = new ApolloServer<SubgraphContext<TLoaders>>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      observe,
    ],
  });
  await apollo.start();

  const routes = definition.routes?.({ orm, cache, events, jobs, logger, config }) ?? {};
  const findRoute = (path: string): RouteHandler | undefined =>
    routes[path] ?? Object.entries(routes).find(([key]) => key.endsWith('/*') && path.startsWith(key.slice(0, -1)))?.[1];

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const respond = async () => {
      switch (path) {
        case '/graphql': {
          const requestId = header(req, 'x-request-id') ?? randomUUID();
          const caller = await verifyCaller(header(req, CALLER_HEADER), config.internalSecret);
          await handleGraphQL(apollo, req, res, async () => createContext(caller, requestId));
          return;
        }
        case '/health':
          return sendJson(res, 200, { status: 'ok', subgraph: config.name });
        case '/ready': {
          const ready = await orm.isConnected().catch(() => false);
          return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
        }
        case '/metrics': {
          const body = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(body);
          return;
        }
        default: {
          const route = findRoute(path);
          if (route) return route(req, res);
          return sendJson(res, 404, { error: 'not found' });
        }
      }
    };
    respond().catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return sendGraphQLError(res, err.status, err.message, err.code);
      const code = (err as { extensions?: { code?: string } }).extensions?.code;
      if (code === 'UNAUTHENTICATED') return sendGraphQLError(res, 401, (err as Error).message, code);
      logger.error({ err }, 'request failed');
      sendGraphQLError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    });
  });

  let stopped = false;
  return {
    name: config.name,
    config,
    apollo,
    orm,
    cache,
    events,
    jobs,
    metrics,
    logger,
    httpServer,
    sqlStatementCount: () => sqlStatements,
    createContext,
    execute: (request, caller = ANONYMOUS) => apollo.executeOperation(request, { contextValue: createContext(caller) }),
    listen: (port = config.port) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.host, () => {
          const { port: bound } = httpServer.address() as AddressInfo;
          logger.info({ port: bound }, 'subgraph listening');
          resolve(`http://127.0.0.1:${bound}/graphql`);
        });
      }),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Apollo's drain plugin stops accepting, lets in-flight requests finish and closes sockets.
      await apollo.stop();
      wsServer.close();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await jobs.stop().catch((err: unknown) => logger.warn({ err }, 'job queue did not stop cleanly'));
      await Promise.allSettled([orm.close(), cache.close(), events.close()]);
    },
  };
}

export type { EntityManager };
