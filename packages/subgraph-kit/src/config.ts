import type { LevelWithSilent } from 'pino';
import { createEnvReader, parsePort, type Env } from '@terrarium/platform/env';
import { readRedisTarget, type RedisTarget } from '@terrarium/platform/redis';
import { readJobsMode, type JobsMode } from './jobs/jobs-mode.js';
import { DEFAULT_CACHE_BUDGET, type CacheBudget } from './cache.js';
import { DEFAULT_PORTS, SUBGRAPHS, defaultSubgraphUrl } from '@terrarium/platform/subgraphs';

/** Every subgraph's settings, read once from the environment. */
export interface SubgraphConfig {
  name: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** The subgraph's own Postgres schema. @default the subgraph's name */
  databaseSchema: string;
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

/** Ports nobody else defaults to, for a subgraph outside the platform's list (tests' fixtures). */
const FALLBACK_PORT = 4100;

/**
 * Reads `<NAME>_PORT`, `<NAME>_DATABASE_URL`, `<NAME>_REDIS_URL` (falling back to PORT,
 * DATABASE_URL, REDIS_URL), REDIS_SENTINELS and REDIS_SENTINEL_NAME (Redis behind Sentinel, same
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
