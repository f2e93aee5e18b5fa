import type { Server } from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
  ApolloServerPluginSchemaReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { startMetricsServer, type MetricsServer } from '@terrarium/platform/health';
import { createLogger, type Logger } from '@terrarium/platform/logger';
import { AccessControl } from '../access/control.js';
import { readAccessPolicy } from '../access/policy.js';
import {
  createFeatureFlags,
  FEATURE_FLAG_DEFINITIONS_QUERY,
  type FlagDefinition,
} from '@terrarium/platform/feature-flags';
import { createLiveUpdatesPlugin } from '../flags/live-updates.plugin.js';
import { createApiKeyVerifier } from '../identity/api-keys.js';
import { createAuthenticator } from '../identity/auth.js';
import { createCallerTokens } from '../identity/caller-tokens.js';
import { createTokenRevocations } from '../identity/token-revocations.js';
import { createOpsClient } from '../upstream/ops-client.js';
import { subgraphTimeout, subgraphUrl, type GatewayConfig } from '../config.js';
import type { GatewayContext } from './context.js';
import { SubgraphDataSource } from '../upstream/data-source.js';
import { createErrorFormatter } from '../errors.js';
import { createEntityCache } from '../entity-cache/index.js';
import { createFastGateway } from '../fast/index.js';
import { createGraphiqlRoute } from '../graphiql/graphiql-route.js';
import { createUpstreamAgent } from '../upstream/pools.js';
import { createBlocklist } from '../access/blocklist.js';
import { createCors } from './cors.js';
import { createHttpServer, refuseTooManyHeaders } from './http-server.js';
import { createRateLimiter } from '../limits/rate-limit.js';
import { createIdentifier } from '../identity/identify.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import { createApqCache, createEmbedRoute, createPersistedStore } from '../persisted/index.js';
import { createAccessControlPlugin } from '../access/access-control.plugin.js';
import { createCacheHeadersPlugin } from './cache-headers.plugin.js';
import { createClientMistakesPlugin } from './client-mistakes.plugin.js';
import { createMetricsPlugin } from '../observability/metrics.plugin.js';
import { createOperationLimitsPlugin } from '../limits/operation-limits.plugin.js';
import { createRateLimitedStatusPlugin } from '../limits/rate-limited-status.plugin.js';
import { createPersistedQueriesPlugin } from '../persisted/persisted-queries.plugin.js';
import { createRedis, createRedisGuard } from '../redis.js';
import { createRequestHandler } from './request-handler.js';
import { createSubscriptionServer } from '../subscriptions/index.js';
import { supergraphFile } from '../supergraph/supergraph-file.js';
import { createSupergraphSource } from '../supergraph/supergraph-source.js';

/** How long a starting gateway waits for the token revocations in force. @default 3_000 ms */
const REVOCATIONS_START_WAIT_MS = 3_000;

export interface GatewayServer {
  readonly httpServer: Server;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** `supergraph-updated`, `supergraph-refused` (error) after each hot-reload attempt. */
  readonly events: EventEmitter;
  listen(port?: number): Promise<string>;
  /**
   * Answers /ready with 503 (and keeps serving for SHUTDOWN_DELAY_MS), then stops accepting, lets
   * in-flight requests finish (up to SHUTDOWN_GRACE_MS), closes sockets, pools and Redis.
   */
  stop(): Promise<void>;
}

/**
 * The router process: Apollo Gateway (supergraph handling and the federation query planner)
 * inside Apollo Server, behind a plain Node HTTP server whose guards (CORS, blocklist, identity,
 * rate limit) run before Apollo, and whose plugins (operation limits, @access) run before any
 * subgraph is called.
 */
export async function createGatewayServer(config: GatewayConfig): Promise<GatewayServer> {
  const logger = createLogger('gateway', config.logLevel);
  const metrics = createMetrics();
  const events = new EventEmitter();
  const redis = createRedis(config.redisUrl, logger);
  // One budget and breaker for the gateway's Redis calls on the request path (rate limit, APQ, blocklist).
  const redisGuard = createRedisGuard({
    budgetMs: config.redisBudgetMs,
    coolDownMs: config.redisBreakerCoolDownMs,
    logger,
  });
  const agent = createUpstreamAgent();
  const access = new AccessControl();
  const httpServer = createHttpServer(config.http);

  const buildService = ({ name, url }: { name: string; url?: string | undefined }) =>
    new SubgraphDataSource({
      name,
      url: subgraphUrl(config, name, url ?? ''),
      timeoutMs: subgraphTimeout(config, name),
      maxResponseBytes: config.subgraphMaxResponseBytes,
      agent,
      metrics,
      logger,
    });
  // Apollo Gateway sends anonymous usage data to Apollo unless this is set when it is built;
  // Terrarium is self-hosted and reports to no one.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFile(config.supergraphPath, {
      logger,
      events,
      validate: (sdl) => void readAccessPolicy(sdl),
    }),
    buildService,
    // Checked in production too: a broken supergraph is refused at load or reload, not served.
    validateSupergraph: true,
    logger,
  });
  // One generation (supergraph + query planner) per loaded supergraph, shared by the fast path and subscriptions.
  const supergraphs = createSupergraphSource(gateway, logger);
  // The policy was validated before the supergraph was accepted, so this cannot throw on a served one.
  supergraphs.onGeneration(({ coreSupergraphSdl }) => {
    access.update(coreSupergraphSdl);
    logger.info({ protectedCoordinates: access.size }, 'access policy loaded');
  });

  // ops' internal queries (API keys, token revocations without Redis, flag definitions).
  const ops = createOpsClient({
    opsUrl: config.opsUrl,
    internalSecret: config.internalSecret,
    metrics,
    logger,
  });
  const revocations = createTokenRevocations({ redis, ops, pollMs: config.tokenRevocationPollMs, logger });
  const flags = createFeatureFlags({
    load: async () => {
      if (!ops) return [];
      return (await ops.query<{ featureFlagDefinitions: FlagDefinition[] }>(FEATURE_FLAG_DEFINITIONS_QUERY))
        .featureFlagDefinitions;
    },
    redis: config.redisUrl,
    logger: logger.child({ component: 'feature-flags' }),
  });

  const persisted = await createPersistedStore({
    dir: config.persisted.manifestsDir,
    redis,
    redisKeyPrefix: config.redisKeyPrefix,
    logger,
  });
  // One blocklist and one rate-limit budget for every transport: HTTP, WebSocket, SSE, multipart.
  const blocklist = createBlocklist({
    redis,
    redisKeyPrefix: config.redisKeyPrefix,
    refreshMs: config.blocklistRefreshMs,
    guard: redisGuard,
    logger,
  });
  const rateLimiter = createRateLimiter({
    redis,
    redisKeyPrefix: config.redisKeyPrefix,
    max: config.rateLimitMax,
    windowMs: config.rateLimitWindowMs,
    guard: redisGuard,
    logger,
  });
  // Registered before Apollo starts, so it sees the first supergraph load.
  const subscriptions = createSubscriptionServer({
    blocklist,
    rateLimiter,
    config: {
      subscriptions: config.subscriptions,
      internalSecret: config.internalSecret,
      production: config.production,
      limits: config.limits,
      trustProxy: config.trustProxy,
      maxBodyBytes: config.maxBodyBytes,
      corsOrigins: config.corsOrigins,
      subgraphUrls: config.subgraphUrls,
    },
    httpServer,
    supergraphs,
    logger,
    metrics,
    buildService,
    identify: (authorization, apiKey) => identify(authorization, apiKey),
    revocations,
    operationChecks: [
      createOperationLimitsPlugin(config.limits, metrics),
      createAccessControlPlugin(access, metrics),
      createLiveUpdatesPlugin(flags, metrics),
    ],
    persisted: { store: persisted, partnerManifest: config.persisted.partnerManifest },
  });
  const formatError = createErrorFormatter(logger, { hideSuggestions: config.production });
  // Queries and mutations execute on the fast path (gateway/src/fast/): Apollo Gateway still loads
  // and plans; every plugin below still runs before execution.
  const entityCache = config.fastExecution
    ? createEntityCache({
        config: config.entityCache,
        redis,
        keyPrefix: config.redisKeyPrefix,
        guard: redisGuard,
        registry: metrics.registry,
        logger,
      })
    : null;
  const fast = config.fastExecution
    ? createFastGateway(gateway, {
        supergraphs,
        planLimits: config.planLimits,
        subgraph: (name, url) => ({
          url: subgraphUrl(config, name, url),
          timeoutMs: subgraphTimeout(config, name),
          maxResponseBytes: config.subgraphMaxResponseBytes,
        }),
        metrics,
        logger,
        shareInflightFetches: config.dedupeSubgraphFetches,
        entityCache: entityCache?.cache ?? null,
        formatError,
      })
    : null;
  const apollo = new ApolloServer<GatewayContext>({
    gateway: fast ?? gateway,
    // APQ for first-party apps, shared by N gateways through Redis; partner keys never register (see persisted/).
    persistedQueries: config.persisted.apqEnabled
      ? {
          cache: redis
            ? createApqCache(redis, config.redisKeyPrefix, config.persisted.apqTtlSeconds, redisGuard, logger)
            : undefined,
          ttl: config.persisted.apqTtlSeconds,
        }
      : false,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    formatError,
    csrfPrevention: true,
    allowBatchedHttpRequests: config.allowBatching,
    // The parser itself stops past the token limit, before building a large AST.
    parseOptions: { maxTokens: config.limits.tokens },
    // Bounds validation work on documents of nested fragment spreads.
    maxRecursiveSelections: true,
    // main.ts owns SIGTERM/SIGINT: it drains and exits.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      // No reporting to Apollo's cloud, anonymous or otherwise: Terrarium is self-hosted.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // Apollo's landing page loads Sandbox from Apollo's CDN; the gateway serves its own GraphiQL (graphiql/).
      ApolloServerPluginLandingPageDisabled(),
      // Subgraph Cache-Control headers still fold into the request's policy; the header is written by createCacheHeadersPlugin.
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      createPersistedQueriesPlugin({
        store: persisted,
        partnerManifest: config.persisted.partnerManifest,
        metrics,
      }),
      // @defer answered in parts (multipart); before the cache headers, which see the body's kind.
      ...(fast ? [fast.incrementalDeliveryPlugin] : []),
      createCacheHeadersPlugin(),
      createRateLimitedStatusPlugin(),
      createMetricsPlugin(),
      createClientMistakesPlugin(),
      createOperationLimitsPlugin(config.limits, metrics),
      createAccessControlPlugin(access, metrics),
    ],
  });
  await apollo.start();
  let draining = false;

  const apiKeys = createApiKeyVerifier({ ops, redis, redisKeyPrefix: config.redisKeyPrefix, logger });
  const identify = createIdentifier(
    createAuthenticator(
      { jwksUrl: config.jwksUrl, jwtIssuer: config.jwtIssuer, jwtAudience: config.jwtAudience },
      revocations,
    ),
    apiKeys,
  );
  // Serve no token before the revocations in force are known, unless Redis or ops cannot say in time.
  const revocationsKnown = await Promise.race([
    revocations.loaded().then(() => true),
    new Promise<false>((resolve) => setTimeout(resolve, REVOCATIONS_START_WAIT_MS, false).unref()),
  ]);
  if (!revocationsKnown) logger.warn('token revocations not loaded yet; serving while they load');
  const serveEmbed = createEmbedRoute({
    store: persisted,
    partnerManifest: config.persisted.partnerManifest,
    widgetFile: fileURLToPath(new URL('../widget/terrarium-embed.js', import.meta.url)),
    logger,
  });
  const serveGraphiql = createGraphiqlRoute({
    enabled: config.graphiql,
    dir: fileURLToPath(new URL('../graphiql-bundle', import.meta.url)),
    logger,
  });
  const handleRequest = createRequestHandler({
    config: {
      trustProxy: config.trustProxy,
      maxBodyBytes: config.maxBodyBytes,
      metricsPort: config.metricsPort,
    },
    apollo,
    logger,
    metrics,
    cors: createCors(config.corsOrigins),
    blocklist,
    rateLimiter,
    identify,
    signCaller: createCallerTokens(config.internalSecret),
    isReady: () => !draining,
  });
  httpServer.on('request', (req, res) => {
    if (refuseTooManyHeaders(req, res, config.http)) return;
    if (!serveEmbed(req, res) && !serveGraphiql(req, res) && !subscriptions.handleHttp(req, res))
      handleRequest(req, res);
  });

  let stopping: Promise<void> | null = null;
  let metricsServer: MetricsServer | undefined;
  return {
    httpServer,
    logger,
    metrics,
    events,
    async listen(port = config.port) {
      if (config.metricsPort !== null && !metricsServer) {
        metricsServer = await startMetricsServer(metrics.registry, config.metricsPort, config.host);
        logger.info({ port: metricsServer.port }, 'metrics listening');
      }
      return new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, config.host, () => {
          const { port: bound } = httpServer.address() as AddressInfo;
          logger.info({ port: bound, supergraph: config.supergraphPath }, 'gateway listening');
          resolve(`http://127.0.0.1:${bound}/graphql`);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        // Not ready, still serving: the load balancer's health check takes us out meanwhile.
        if (config.shutdownDelayMs > 0)
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        // The drain plugin closes the listener, waits for in-flight requests, then ends sockets;
        // Apollo then stops the gateway (the supergraph watcher's cleanup runs there).
        await subscriptions.close();
        await apollo.stop();
        await agent.close();
        await apiKeys.close();
        await revocations.close();
        await entityCache?.close();
        await flags.close();
        await ops?.close();
        await persisted.close();
        await redis?.quit().catch(() => redis.disconnect());
        await metricsServer?.close();
      })();
      return stopping;
    },
  };
}
