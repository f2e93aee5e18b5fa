import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';
import { ConfigError, createEnvReader, parsePort } from '@terrarium/platform/env';
import { readRedisTarget, type RedisTarget } from '@terrarium/platform/redis';
import type { EntityCacheConfig } from './entity-cache/index.js';

/** Operation limits, checked before planning; an operation over any of them gets HTTP 400. */
export interface OperationLimits {
  /** Deepest field nesting (a root field is depth 1). @default 12 */
  depth: number;
  /** Aliased fields in the operation, fragments included. @default 30 */
  aliases: number;
  /** Fields selected at the root of the operation. @default 10 */
  rootFields: number;
  /** Lexical tokens of the document (graphql-js stops parsing past it). @default 2_000 */
  tokens: number;
  /** Estimated cost: objects resolved, multiplied by list sizes from first/last/limit. @default 5_000 */
  cost: number;
  /** Size assumed for a list without a first/last/limit argument. @default 10 */
  defaultListSize: number;
}

/** Limits of subscriptions (graphql-ws, SSE, multipart); see src/subscriptions/README.md. */
export interface SubscriptionLimits {
  /** Active subscriptions one graphql-ws connection may hold. @default 20 */
  perConnection: number;
  /** A graphql-ws connection that sends no connection_init this long is closed (4408). @default 5_000 ms */
  initWaitMs: number;
  /** Ping interval for client sockets; a client that misses the pong is terminated. @default 12_000 ms */
  keepAliveMs: number;
  /**
   * graphql-ws connections one principal may hold open on this gateway process: a user (by id), a
   * partner (by API client), an anonymous caller by IP; past it the socket closes with 4429. @default 20
   */
  maxConnectionsPerUser: number;
  /** Events held for one slow subscriber; past it the oldest are dropped (and counted). @default 100 */
  queueSize: number;
  /** Bytes buffered on a client's WebSocket before it is closed as a slow consumer (1008). @default 1_048_576 */
  maxBufferedBytes: number;
  /** Reconnections to a subgraph that went away before its subscribers end with SUBGRAPH_UNAVAILABLE (0: none). @default 10 */
  upstreamRetries: number;
  /** Heartbeat interval of multipart HTTP subscriptions. @default 5_000 ms */
  heartbeatMs: number;
  /** Identical subscriptions share one upstream subscription and one resolution per event: across callers when public, else per caller. @default true */
  deduplicate: boolean;
}

/** Persisted queries (trusted documents) and APQ; see src/persisted/. */
export interface PersistedQueriesConfig {
  /** Directory of Apollo persisted-query manifests, `<client>.json`; watched. @default <repo>/schema/manifests */
  manifestsDir: string;
  /** The manifest partner API keys are bound to. @default "partner-embed" */
  partnerManifest: string;
  /** Automatic persisted queries for first-party callers (never for partner keys). @default true */
  apqEnabled: boolean;
  /** Lifetime of an APQ registration in Redis. @default 86_400 s */
  apqTtlSeconds: number;
}

/** The HTTP server's socket limits, so slow or hostile clients cannot hold sockets. */
export interface HttpServerLimits {
  /** A client must finish sending its request headers this long after connecting (Node's `headersTimeout`). @default 10_000 ms */
  headersTimeoutMs: number;
  /** A client must finish sending its whole request (headers and body) this long after it began (Node's `requestTimeout`). @default 30_000 ms */
  requestTimeoutMs: number;
  /** An idle keep-alive socket is closed after this long; above a load balancer's idle timeout (60 s on AWS ALB). @default 65_000 ms */
  keepAliveTimeoutMs: number;
  /** Request headers accepted; a request with more is answered 431. @default 100 */
  maxHeadersCount: number;
}

/** The gateway's settings: command-line flags first, then the environment. Read once, frozen. */
export interface GatewayConfig {
  port: number;
  host: string;
  /** Path of the Federation 2 supergraph SDL to serve; watched and hot-reloaded. */
  supergraphPath: string;
  /** Signs the caller token for subgraphs; without it subgraphs refuse the gateway's requests. */
  internalSecret: string | null;
  /** JWKS of ops, used to verify users' JWTs; user auth is off when null. */
  jwksUrl: string | null;
  jwtIssuer: string;
  jwtAudience: string;
  /** Ops' GraphQL URL, asked (as the `gateway` service) who a partner API key belongs to. */
  opsUrl: string | null;
  /** Redis (a URL, or Sentinel: REDIS_SENTINELS + REDIS_SENTINEL_NAME); in memory when unset. */
  redisUrl: RedisTarget | null;
  /** A Redis call (rate limit, APQ, blocklist) is abandoned after this long: a miss, or the limit fails open. @default 150 ms */
  redisBudgetMs: number;
  /** After 5 failed or late Redis calls in a row, Redis is skipped this long before one call probes it; short, so a Sentinel failover (about 2.5 s) costs seconds, not a cool-down more. @default 2_000 ms */
  redisBreakerCoolDownMs: number;
  /** Prefix of every Redis key the gateway reads or writes. @default "terrarium:" */
  redisKeyPrefix: string;
  production: boolean;
  /**
   * Answer schema introspection: INTROSPECTION=true|false, else on outside production, and on in
   * production when GRAPHIQL=true forces the IDE there (an IDE without the schema has no docs,
   * explorer or completion).
   */
  introspection: boolean;
  /** Serve GraphiQL at GET /graphql for browsers: GRAPHIQL=true|false, else when introspection is on. */
  graphiql: boolean;
  logLevel: LevelWithSilent;
  /** Per-subgraph fetch timeout. @default 10_000 ms */
  subgraphTimeoutMs: number;
  /** `<NAME>_TIMEOUT_MS` overrides, by subgraph name in lower case (`products`). */
  subgraphTimeouts: Readonly<Record<string, number>>;
  /** A subgraph answer larger than this is cut off and answered SUBGRAPH_REQUEST_FAILED. @default 8_388_608 bytes (8 MB) */
  subgraphMaxResponseBytes: number;
  /** `<NAME>_URL` overrides of the URLs in the supergraph, by subgraph name in lower case. */
  subgraphUrls: Readonly<Record<string, string>>;
  /** Largest accepted request body. @default 1_048_576 bytes */
  maxBodyBytes: number;
  /** /metrics on a port of its own (METRICS_PORT), and not on `port`; null: on `port`. @default null */
  metricsPort: number | null;
  limits: Readonly<OperationLimits>;
  /** Browser origins allowed to call the gateway (CORS); none when empty. */
  corsOrigins: readonly string[];
  /** Requests per client (API key, else user, else IP) per window; 0 turns rate limiting off. @default 600 */
  rateLimitMax: number;
  /** @default 60_000 ms */
  rateLimitWindowMs: number;
  /** How long the Redis blocklists are cached in memory. @default 5_000 ms */
  blocklistRefreshMs: number;
  /**
   * Without Redis, how often ops is asked for revoked tokens (logOut, password reset, role
   * change); 0 turns it off (revocations then never reach this gateway). @default 2_000 ms
   */
  tokenRevocationPollMs: number;
  /**
   * How many proxies in front of the gateway append to X-Forwarded-For (TRUST_PROXY: false = 0,
   * true = 1, or a number): the client's IP is read that many entries from the header's right end.
   * @default 0
   */
  trustProxy: number;
  /** Array bodies (several operations in one request). @default false */
  allowBatching: boolean;
  /** In-flight requests get this long to finish on shutdown before their sockets close. @default 10_000 ms */
  shutdownGraceMs: number;
  /**
   * On SIGTERM, /ready answers 503 for this long while everything is still served, before the
   * drain begins: a load balancer's health check takes the gateway out of rotation first, so no
   * new request or reconnecting subscriber is sent to a closing listener. 0 where the platform
   * removes the instance itself before SIGTERM (Kubernetes: the preStop sleep). @default 0 ms
   */
  shutdownDelayMs: number;
  /** Queries and mutations run on the fast executor (src/fast/); false hands every one to Apollo Gateway's own. @default true */
  fastExecution: boolean;
  /** Concurrent requests of the same caller share an identical in-flight query fetch (fast executor only). @default true */
  dedupeSubgraphFetches: boolean;
  /** The entity cache of `_entities` and root-field answers (fast executor only; src/entity-cache/). */
  entityCache: EntityCacheConfig;
  /**
   * Apollo Gateway's own switches of its planner's safety limits (APOLLO_DISABLE_SECURITY_*_CHECK
   * = true), which the fast path's planner must honour as Apollo Gateway does. @default both false
   */
  planLimits: Readonly<{
    recursiveSelectionsLimitDisabled: boolean;
    nonLocalSelectionsLimitDisabled: boolean;
  }>;
  persisted: Readonly<PersistedQueriesConfig>;
  subscriptions: Readonly<SubscriptionLimits>;
  http: Readonly<HttpServerLimits>;
}

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));
const DEFAULT_MANIFESTS = fileURLToPath(new URL('../../schema/manifests', import.meta.url));
const LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];
/** Environment names that end in _URL or _TIMEOUT_MS but are not subgraphs. */
const NOT_SUBGRAPHS = new Set(['SUBGRAPH', 'JWKS', 'REDIS', 'DATABASE', 'TEST_SERVER_DATABASE']);

/** Every problem of the gateway's configuration, found at once (the platform's ConfigError). */
export { ConfigError as GatewayConfigError };

export function loadGatewayConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  const { values } = parseArgs({
    args: argv,
    options: { supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const read = createEnvReader(env);
  const port = parsedPort('port', values.port ?? env['GATEWAY_PORT'] ?? '4000', read.problem);
  const rawMetricsPort = read.string('METRICS_PORT');
  const metricsPort =
    rawMetricsPort === undefined ? null : parsedPort('METRICS_PORT', rawMetricsPort, read.problem);
  /** A whole number >= min (0 allowed where it means "off"). */
  const integer = (key: string, fallback: number, min = 1): number => read.integer(key, fallback, min);

  const subgraphTimeoutMs = integer('SUBGRAPH_TIMEOUT_MS', 10_000);
  const redisBudgetMs = integer('REDIS_BUDGET_MS', 150);
  const redisBreakerCoolDownMs = integer('REDIS_BREAKER_COOLDOWN_MS', 2_000);
  const subgraphMaxResponseBytes = integer('SUBGRAPH_MAX_RESPONSE_BYTES', 8 * 1024 * 1024);
  const subgraphTimeouts: Record<string, number> = {};
  const subgraphUrls: Record<string, string> = {};
  for (const key of Object.keys(env)) {
    const timeout = /^([A-Z0-9_]+)_TIMEOUT_MS$/.exec(key);
    if (timeout && !NOT_SUBGRAPHS.has(timeout[1]!))
      subgraphTimeouts[timeout[1]!.toLowerCase()] = integer(key, subgraphTimeoutMs);
    const url = /^([A-Z0-9_]+)_URL$/.exec(key);
    if (url && !NOT_SUBGRAPHS.has(url[1]!) && env[key]) subgraphUrls[url[1]!.toLowerCase()] = env[key]!;
  }

  const limits: OperationLimits = Object.freeze({
    depth: integer('MAX_DEPTH', 12),
    aliases: integer('MAX_ALIASES', 30, 0),
    rootFields: integer('MAX_ROOT_FIELDS', 10),
    tokens: integer('MAX_TOKENS', 2_000),
    cost: integer('MAX_COST', 5_000),
    defaultListSize: integer('DEFAULT_LIST_SIZE', 10),
  });
  const maxBodyBytes = integer('MAX_BODY_BYTES', 1_048_576);
  const rateLimitMax = integer('RATE_LIMIT_MAX', 600, 0);
  const rateLimitWindowMs = integer('RATE_LIMIT_WINDOW_MS', 60_000);
  const blocklistRefreshMs = integer('BLOCKLIST_REFRESH_MS', 5_000, 0);
  const tokenRevocationPollMs = integer('TOKEN_REVOCATION_POLL_MS', 2_000, 0);
  const shutdownGraceMs = integer('SHUTDOWN_GRACE_MS', 10_000);
  const shutdownDelayMs = integer('SHUTDOWN_DELAY_MS', 0, 0);
  const persisted: PersistedQueriesConfig = Object.freeze({
    manifestsDir: env['PERSISTED_MANIFESTS_DIR'] || DEFAULT_MANIFESTS,
    partnerManifest: env['PARTNER_MANIFEST'] || 'partner-embed',
    apqEnabled: read.boolean('APQ_ENABLED', true),
    apqTtlSeconds: integer('APQ_TTL_SECONDS', 86_400),
  });
  const subscriptions: SubscriptionLimits = Object.freeze({
    perConnection: integer('SUBSCRIPTIONS_PER_CONNECTION', 20),
    initWaitMs: integer('SUBSCRIPTION_INIT_WAIT_MS', 5_000),
    maxConnectionsPerUser: integer('SUBSCRIPTION_MAX_CONNECTIONS_PER_USER', 20),
    keepAliveMs: integer('SUBSCRIPTION_KEEPALIVE_MS', 12_000),
    queueSize: integer('SUBSCRIPTION_QUEUE_SIZE', 100),
    maxBufferedBytes: integer('SUBSCRIPTION_MAX_BUFFERED_BYTES', 1_048_576),
    upstreamRetries: integer('SUBSCRIPTION_UPSTREAM_RETRIES', 10, 0),
    heartbeatMs: integer('SUBSCRIPTION_HEARTBEAT_MS', 5_000),
    deduplicate: read.boolean('SUBSCRIPTION_DEDUPLICATION', true),
  });

  const http: HttpServerLimits = Object.freeze({
    headersTimeoutMs: integer('HTTP_HEADERS_TIMEOUT_MS', 10_000),
    requestTimeoutMs: integer('HTTP_REQUEST_TIMEOUT_MS', 30_000),
    keepAliveTimeoutMs: integer('HTTP_KEEPALIVE_TIMEOUT_MS', 65_000),
    maxHeadersCount: integer('HTTP_MAX_HEADERS_COUNT', 100),
  });
  // Node refuses to start a server whose header timeout outlasts its request timeout.
  if (http.headersTimeoutMs > http.requestTimeoutMs)
    read.problem('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');

  const internalSecret = env['INTERNAL_SECRET'] || null;
  if (internalSecret !== null && internalSecret.length < 32)
    read.problem('INTERNAL_SECRET must be at least 32 characters');
  const logLevel = read.oneOf('LOG_LEVEL', LEVELS, 'info');
  const corsOrigins = (env['CORS_ORIGINS'] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      read.problem(`CORS_ORIGINS entries must be origins like https://shop.example, got "${origin}"`);
  }
  const production = env['NODE_ENV'] === 'production';
  const graphiqlSetting = env['GRAPHIQL'] ? read.boolean('GRAPHIQL', false) : null;
  const introspection = read.boolean('INTROSPECTION', !production || graphiqlSetting === true);
  const graphiql = graphiqlSetting ?? introspection;
  const trustProxy = trustedProxyHops(read.string('TRUST_PROXY'), read.problem);
  const allowBatching = read.boolean('ALLOW_BATCHING', false);
  const fastExecution = read.boolean('FAST_EXECUTION', true);
  const dedupeSubgraphFetches = read.boolean('DEDUPE_SUBGRAPH_FETCHES', true);
  const entityCache: EntityCacheConfig = Object.freeze({
    enabled: read.boolean('ENTITY_CACHE', true),
    memoryMaxBytes: integer('ENTITY_CACHE_MEMORY_MAX_BYTES', 64 * 1024 * 1024),
    memoryMaxAgeSeconds: integer('ENTITY_CACHE_MEMORY_MAX_AGE_SECONDS', 1),
    types: entityCacheTypes(read.string('ENTITY_CACHE_TYPES'), read.problem),
  });
  const planLimits = Object.freeze({
    recursiveSelectionsLimitDisabled: read.boolean(
      'APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK',
      false,
    ),
    nonLocalSelectionsLimitDisabled: read.boolean(
      'APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK',
      false,
    ),
  });
  const redisProblems: string[] = [];
  const redis = readRedisTarget((key) => env[key], redisProblems);
  for (const problem of redisProblems) read.problem(problem);
  read.done();

  const opsUrl = env['OPS_URL'] || null;
  return Object.freeze({
    port,
    host: values.host ?? env['HOST'] ?? '0.0.0.0',
    supergraphPath: values.supergraph ?? env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH,
    internalSecret,
    jwksUrl: env['JWKS_URL'] || (opsUrl ? new URL('/.well-known/jwks.json', opsUrl).toString() : null),
    jwtIssuer: env['JWT_ISSUER'] ?? 'terrarium-ops',
    jwtAudience: env['JWT_AUDIENCE'] ?? 'terrarium',
    opsUrl,
    redisUrl: redis,
    redisKeyPrefix: env['REDIS_KEY_PREFIX'] ?? 'terrarium:',
    redisBudgetMs,
    redisBreakerCoolDownMs,
    production,
    introspection,
    graphiql,
    logLevel,
    subgraphTimeoutMs,
    subgraphTimeouts: Object.freeze(subgraphTimeouts),
    subgraphMaxResponseBytes,
    subgraphUrls: Object.freeze(subgraphUrls),
    maxBodyBytes,
    metricsPort,
    limits,
    corsOrigins: Object.freeze(corsOrigins),
    rateLimitMax,
    rateLimitWindowMs,
    blocklistRefreshMs,
    tokenRevocationPollMs,
    trustProxy,
    allowBatching,
    shutdownGraceMs,
    shutdownDelayMs,
    fastExecution,
    dedupeSubgraphFetches,
    entityCache,
    planLimits,
    persisted,
    subscriptions,
    http,
  });
}

/** The fetch timeout of one subgraph: its `<NAME>_TIMEOUT_MS`, else SUBGRAPH_TIMEOUT_MS. */
export function subgraphTimeout(
  config: Pick<GatewayConfig, 'subgraphTimeouts' | 'subgraphTimeoutMs'>,
  name: string,
): number {
  return config.subgraphTimeouts[envName(name)] ?? config.subgraphTimeoutMs;
}

/** The URL the gateway calls for a subgraph: its `<NAME>_URL`, else the supergraph's. */
export function subgraphUrl(
  config: Pick<GatewayConfig, 'subgraphUrls'>,
  name: string,
  fromSupergraph: string,
): string {
  return config.subgraphUrls[envName(name)] ?? fromSupergraph;
}

/** `community-feed` -> `community_feed`, as its environment names spell it (lower-cased). */
function envName(subgraph: string): string {
  return subgraph.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/** A port number from its raw text; a problem (and 0) when it is none. */
function parsedPort(key: string, raw: string, problem: (message: string) => void): number {
  const parsed = parsePort(key, raw);
  if (parsed.ok) return parsed.value;
  problem(parsed.problem);
  return 0;
}

/** The types whose writes announce their changes (see EntityCacheConfig.types). @default Product, User */
function entityCacheTypes(raw: string | undefined, problem: (message: string) => void): readonly string[] {
  if (raw === undefined) return ['Product', 'User', 'Review', 'MediaAsset', 'Listing', 'Organization'];
  const types = raw
    .split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  for (const type of types)
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(type))
      problem(`ENTITY_CACHE_TYPES: "${type}" is not a GraphQL type name`);
  return types;
}

/** TRUST_PROXY: false/0 (no proxy), true (one), or how many proxies append to X-Forwarded-For. */
function trustedProxyHops(raw: string | undefined, problem: (message: string) => void): number {
  if (raw === undefined || raw === 'false' || raw === '0') return 0;
  if (raw === 'true') return 1;
  const hops = Number(raw);
  if (/^\d+$/.test(raw) && hops >= 1 && hops <= 10) return hops;
  problem(
    `TRUST_PROXY must be true, false or the number of proxies in front of the gateway (1-10), got "${raw}"`,
  );
  return 0;
}
