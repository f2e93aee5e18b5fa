import type { LevelWithSilent } from 'pino';
import { readRedisTarget, type RedisTarget } from './redis-client.js';

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
}

/** Default ports: the gateway takes 4000, subgraphs the next six. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  ops: 4001,
  products: 4002,
  inventory: 4003,
  commerce: 4004,
  media: 4005,
  community: 4006,
};

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads `<NAME>_PORT`, `<NAME>_DATABASE_URL`, `<NAME>_REDIS_URL` (falling back to PORT,
 * DATABASE_URL, REDIS_URL), REDIS_SENTINELS and REDIS_SENTINEL_NAME (Redis behind Sentinel, same
 * prefixing), INTERNAL_SECRET, SEED_DEMO, NODE_ENV, LOG_LEVEL and `<OTHER>_URL`.
 * Lists every problem at once.
 */
export function loadSubgraphConfig(name: string, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const prefix = name.toUpperCase();
  const problems: string[] = [];
  const pick = (key: string): string | undefined => env[`${prefix}_${key}`] || env[key] || undefined;

  const rawPort = pick('PORT') ?? String(DEFAULT_PORTS[name] ?? 4100);
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`${prefix}_PORT must be a port number, got "${rawPort}"`);

  const databaseUrl = pick('DATABASE_URL');
  if (!databaseUrl) problems.push('DATABASE_URL is required (npm start provides an embedded Postgres)');

  const internalSecret = env['INTERNAL_SECRET'];
  if (!internalSecret || internalSecret.length < 32) problems.push('INTERNAL_SECRET must be set, at least 32 characters');

  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!LEVELS.has(logLevel)) problems.push(`LOG_LEVEL must be one of ${[...LEVELS].join(', ')}`);

  const databaseSchema = pick('DATABASE_SCHEMA') ?? name;
  if (!/^[a-z_][a-z0-9_]*$/.test(databaseSchema)) problems.push(`${prefix}_DATABASE_SCHEMA must be a plain identifier`);

  const redis = readRedisTarget(pick, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  const serviceUrls: Record<string, string> = {};
  for (const other of Object.keys(DEFAULT_PORTS)) {
    const url = env[`${other.toUpperCase()}_URL`];
    serviceUrls[other] = url ?? `http://127.0.0.1:${DEFAULT_PORTS[other]}/graphql`;
  }

  return Object.freeze({
    name,
    port,
    host: env['HOST'] ?? '0.0.0.0',
    databaseUrl: databaseUrl!,
    databaseSchema,
    redisUrl: redis,
    internalSecret: internalSecret!,
    seedDemo: env['SEED_DEMO'] === 'true' || env['SEED_DEMO'] === '1',
    production: env['NODE_ENV'] === 'production',
    logLevel: logLevel as LevelWithSilent,
    serviceUrls: Object.freeze(serviceUrls),
  });
}
