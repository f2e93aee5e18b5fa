import type { Logger } from 'pino';
import { createRedisClient, type Redis, type RedisTarget } from '../redis-client.js';
import type { FlagDefinition } from './evaluate.js';

/** ops' event bus topic for a committed flag change; the bus prefixes it with the subgraph name. */
export const FEATURE_FLAGS_TOPIC = 'feature-flags-changed';
/** The Redis channel every process with flags listens on. */
export const FEATURE_FLAGS_CHANNEL = `ops:${FEATURE_FLAGS_TOPIC}`;

/** While Redis carries change messages, a copy is trusted this long (it covers a lost message). @default 60_000 ms */
const TTL_LISTENING_MS = 60_000;
/** Without Redis (or while its connection is down) nothing announces a change. @default 5_000 ms */
const TTL_UNANNOUNCED_MS = 5_000;
/** After a failed load, ops is asked again no sooner (meanwhile: the stale copy, or the caller's default). @default 1_000 ms */
const RETRY_AFTER_FAILURE_MS = 1_000;

export interface FlagCacheOptions {
  /** Every flag as ops stores it: a service call, or (in ops) its own table. */
  load: () => Promise<readonly FlagDefinition[]>;
  /** Where ops publishes its change messages; null = rely on TTL_UNANNOUNCED_MS. */
  redis: RedisTarget | null;
  logger: Logger;
}

export interface FlagCache {
  /** Every flag by key: the copy while fresh, else reloaded; a stale copy when the reload fails; throws when there is none. */
  get(): Promise<ReadonlyMap<string, FlagDefinition>>;
  /** Forget the copy: the next get() reloads. */
  invalidate(): void;
  /** Called after each invalidation (the provider's ConfigurationChanged event). */
  onInvalidate(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * The flags one process evaluates: loaded on first use, kept in memory, invalidated by ops'
 * `ops:feature-flags-changed` messages (so a change reaches every process within a Redis round
 * trip plus a reload), and reloaded after a TTL in case a message was missed. The Redis listener
 * starts with the first load, so a process that never evaluates a flag never connects.
 */
export function createFlagCache({ load, redis, logger }: FlagCacheOptions): FlagCache {
  let copy: ReadonlyMap<string, FlagDefinition> | null = null;
  let freshUntil = 0;
  // Bumped by each invalidation: a load that was already in flight must not count as fresh.
  let generation = 0;
  let loading: Promise<ReadonlyMap<string, FlagDefinition>> | null = null;
  // While ops cannot answer and there is no copy, evaluations fail fast instead of each waiting on ops.
  let failure: { error: unknown; until: number } | null = null;
  let subscriber: Redis | null = null;
  let closed = false;
  const listeners: (() => void)[] = [];

  const invalidate = () => {
    generation += 1;
    freshUntil = 0;
    for (const listener of listeners) listener();
  };

  function listen(target: RedisTarget): Redis {
    const client = createRedisClient(target, { maxRetriesPerRequest: null });
    client.on('error', (err: Error) => logger.debug({ err }, 'feature flag listener: redis error'));
    // Messages sent while disconnected are lost: a (re)connection starts from a fresh load.
    client.on('ready', invalidate);
    client.on('message', invalidate);
    client
      .subscribe(FEATURE_FLAGS_CHANNEL)
      .catch((err: unknown) => logger.warn({ err }, 'cannot listen for feature flag changes'));
    return client;
  }

  async function reload(): Promise<ReadonlyMap<string, FlagDefinition>> {
    const started = generation;
    const ttl = subscriber?.status === 'ready' ? TTL_LISTENING_MS : TTL_UNANNOUNCED_MS;
    try {
      const flags = new Map((await load()).map((flag) => [flag.key, flag] as const));
      copy = flags;
      if (generation === started) freshUntil = Date.now() + ttl;
      return flags;
    } catch (err) {
      if (!copy) {
        failure = { error: err, until: Date.now() + RETRY_AFTER_FAILURE_MS };
        throw err;
      }
      logger.warn({ err }, 'feature flags could not be reloaded; evaluating the last copy');
      freshUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
      return copy;
    }
  }

  return {
    async get() {
      if (redis && !subscriber && !closed) subscriber = listen(redis);
      if (copy && Date.now() < freshUntil) return copy;
      if (!copy && failure && Date.now() < failure.until) throw failure.error;
      loading ??= reload().finally(() => {
        loading = null;
      });
      return loading;
    },
    invalidate,
    onInvalidate: (listener) => void listeners.push(listener),
    async close() {
      closed = true;
      const client = subscriber;
      subscriber = null;
      await client?.quit().catch(() => client.disconnect());
    },
  };
}
