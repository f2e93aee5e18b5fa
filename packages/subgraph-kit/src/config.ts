import type { LevelWithSilent } from 'pino';
import { createEnvReader, parsePort, type Env } from '@terrarium/platform/env';
import { readRedisTarget, type RedisTarget } from '@terrarium/platform/redis';
import { readJobsMode, type JobsMode } from './jobs/jobs-mode.js';
import { DEFAULT_CACHE_BUDGET, type CacheBudget } from './cache.js';
import { DEFAULT_REPLICA_MAX_LAG_MS } from './replicas/freshness.js';
import { DEFAULT_PORTS, SUBGRAPHS, defaultSubgraphUrl } from '@terrarium/platform/subgraphs';

/** Every subgraph's settings, read once from the environment. */
export interface SubgraphConfig {
  name: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** The subgraph's own Postgres schema. @default the subgraph's name */
  databaseSchema: string;
  /**
   * Streaming replicas of the database, for the reads that tolerate lag (catalog, search,
   * listings, reviews). @default [] (everything on databaseUrl)
   */
  databaseReplicaUrls: readonly string[];
  /**
   * A replica is read only while its data is known to be at most this old, and a caller reads the
   * primary for this long after a write (read-your-writes). @default 5_000 ms
   */
  replicaMaxLagMs: number;
  /** Redis for the cache and pub/sub (a URL, or Sentinel with REDIS_SENTINELS); in-memory and in-process when unset. */
  redisUrl: RedisTarget | null;
  /** Secret shared with the gateway to sign the caller token (x-terrarium-caller). */
  internalSecret: string;
  /** Load the demo data on first start. */
  seedDemo: boolean;
  production: boolean;
  logLevel: LevelWithSilent;
  /** Other subgraphs' URLs this one calls as a service (e.g. INVENTORY_URL). */
  serviceUrls: Readonly<Record<string, string>>;
  /** Time budgets and circuit breaker of cache calls to Redis. @default DEFAULT_CACHE_BUDGET */
  cacheBudget?: Readonly<CacheBudget>;
  /** Where jobs run: `all` (default), `api` or `worker` (JOBS_MODE, or `--worker`). */
  jobsMode: JobsMode;
  /** /metrics on a port of its own, and not on `port` (<NAME>_METRICS_PORT or METRICS_PORT). @default null: on `port` */
  metricsPort: number | null;
}

const LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];

/** Below this, a replica kept up to date would flicker in and out of use between probes. @default 500 ms */
const MIN_REPLICA_MAX_LAG_MS = 500;

/** Ports nobody else defaults to, for a subgraph outside the platform's list (tests' fixtures). */
const FALLBACK_PORT = 4100;

/**
 * Reads `<NAME>_PORT`, `<NAME>_DATABASE_URL`, `<NAME>_REDIS_URL` (falling back to PORT,
 * DATABASE_URL, REDIS_URL), `<NAME>_DATABASE_REPLICA_URLS` and `<NAME>_DATABASE_REPLICA_MAX_LAG_MS`
 * (see readReplicaUrls), REDIS_SENTINELS and REDIS_SENTINEL_NAME (Redis behind Sentinel, same
 * prefixing), INTERNAL_SECRET, SEED_DEMO, NODE_ENV, LOG_LEVEL, `<OTHER>_URL` and
 * CACHE_READ_TIMEOUT_MS, CACHE_WRITE_TIMEOUT_MS, CACHE_BREAKER_FAILURES, CACHE_BREAKER_COOLDOWN_MS.
 * Lists every problem at once (ConfigError).
 */
export function loadSubgraphConfig(name: string, env: Env = process.env): SubgraphConfig {
  const prefix = name.toUpperCase();
  const read = createEnvReader(env);
  const pick = (key: string): string | undefined => read.string(`${prefix}_${key}`) ?? read.string(key);

  let port = DEFAULT_PORTS[name] ?? FALLBACK_PORT;
  const rawPort = pick('PORT');
  if (rawPort !== undefined) {
    const parsed = parsePort(`${prefix}_PORT`, rawPort);
    if (parsed.ok) port = parsed.value;
    else read.problem(parsed.problem);
  }

  let metricsPort: number | null = null;
  const rawMetricsPort = pick('METRICS_PORT');
  if (rawMetricsPort !== undefined) {
    const parsed = parsePort(`${prefix}_METRICS_PORT`, rawMetricsPort);
    if (parsed.ok) metricsPort = parsed.value;
    else read.problem(parsed.problem);
  }

  const databaseUrl = pick('DATABASE_URL');
  if (!databaseUrl) read.problem('DATABASE_URL is required (npm start provides an embedded Postgres)');

  const internalSecret = read.string('INTERNAL_SECRET');
  if (!internalSecret || internalSecret.length < 32)
    read.problem('INTERNAL_SECRET must be set, at least 32 characters');

  const logLevel = read.oneOf('LOG_LEVEL', LEVELS, 'info');
  const seedDemo = read.boolean('SEED_DEMO', false);

  const databaseSchema = pick('DATABASE_SCHEMA') ?? name;
  if (!/^[a-z_][a-z0-9_]*$/.test(databaseSchema))
    read.problem(`${prefix}_DATABASE_SCHEMA must be a plain identifier`);

  const databaseReplicaUrls = readReplicaUrls(prefix, env, read.problem);
  const replicaMaxLagMs = read.integer(
    env[`${prefix}_DATABASE_REPLICA_MAX_LAG_MS`]
      ? `${prefix}_DATABASE_REPLICA_MAX_LAG_MS`
      : 'DATABASE_REPLICA_MAX_LAG_MS',
    DEFAULT_REPLICA_MAX_LAG_MS,
    MIN_REPLICA_MAX_LAG_MS,
  );

  const cacheBudget: CacheBudget = {
    readMs: read.integer('CACHE_READ_TIMEOUT_MS', DEFAULT_CACHE_BUDGET.readMs, 1),
    writeMs: read.integer('CACHE_WRITE_TIMEOUT_MS', DEFAULT_CACHE_BUDGET.writeMs, 1),
    breakerFailures: read.integer('CACHE_BREAKER_FAILURES', DEFAULT_CACHE_BUDGET.breakerFailures, 1),
    breakerCoolDownMs: read.integer('CACHE_BREAKER_COOLDOWN_MS', DEFAULT_CACHE_BUDGET.breakerCoolDownMs, 1),
  };

  const redisProblems: string[] = [];
  const redis = readRedisTarget(pick, redisProblems);
  for (const problem of redisProblems) read.problem(problem);

  let jobsMode: JobsMode = 'all';
  try {
    jobsMode = readJobsMode(env);
  } catch (err) {
    read.problem((err as Error).message);
  }

  read.done();

  const serviceUrls: Record<string, string> = {};
  for (const { name: other } of SUBGRAPHS) {
    serviceUrls[other] = env[`${other.toUpperCase()}_URL`] ?? defaultSubgraphUrl(other)!;
  }

  return Object.freeze({
    name,
    port,
    host: env['HOST'] ?? '0.0.0.0',
    databaseUrl: databaseUrl!,
    databaseSchema,
    databaseReplicaUrls: Object.freeze(databaseReplicaUrls),
    replicaMaxLagMs,
    redisUrl: redis,
    internalSecret: internalSecret!,
    seedDemo,
    production: env['NODE_ENV'] === 'production',
    logLevel,
    serviceUrls: Object.freeze(serviceUrls),
    cacheBudget: Object.freeze(cacheBudget),
    jobsMode,
    metricsPort,
  });
}

/**
 * `<NAME>_DATABASE_REPLICA_URLS`: comma-separated postgres:// URLs of streaming replicas of the
 * subgraph's database. The unprefixed DATABASE_REPLICA_URLS counts only for a subgraph on the
 * shared DATABASE_URL: one with a database of its own (`<NAME>_DATABASE_URL`) must name that
 * database's replicas, never read another's. A bad entry is a problem, named by position only
 * (a URL may hold a password).
 */
export function readReplicaUrls(prefix: string, env: Env, problem: (message: string) => void): string[] {
  const ownKey = `${prefix}_DATABASE_REPLICA_URLS`;
  const ownDatabase = Boolean(env[`${prefix}_DATABASE_URL`]);
  const key = env[ownKey] || ownDatabase ? ownKey : 'DATABASE_REPLICA_URLS';
  const raw = env[key];
  if (!raw) return [];
  const urls = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  urls.forEach((url, i) => {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:')
      problem(`${key}: entry ${i + 1} is not a postgres:// URL`);
  });
  return urls;
}
