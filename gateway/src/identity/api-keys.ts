import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { AuthUnavailableError } from './auth.js';
import type { Redis } from '../redis.js';
import { OpsUnavailableError, type OpsClient } from '../upstream/ops-client.js';

/** A partner API client as ops knows it. */
export interface ApiClient {
  id: string;
  name: string;
  /** Names of the persisted operations this client may run (the persisted-queries plugin enforces them). */
  allowedOperations: readonly string[];
}

export interface ApiKeyVerifier {
  /** The client owning `key`, or null for an unknown or revoked key. Throws AuthUnavailableError when ops cannot say. */
  verify(key: string): Promise<ApiClient | null>;
  /** Stops listening for revocations. */
  close(): Promise<void>;
}

/** How long a verdict is shared through Redis (or kept in memory without Redis). @default 60_000 ms */
const VERDICT_TTL_MS = 60_000;
/** An unknown key is remembered for less, so a freshly created key works soon. @default 10_000 ms */
const UNKNOWN_TTL_MS = 10_000;
/** With Redis, each process still keeps a verdict this long to spare a round trip per request. @default 5_000 ms */
const LOCAL_TTL_WITH_REDIS_MS = 5_000;
/** Longer values are not keys; they are refused without asking ops. */
const MAX_KEY_LENGTH = 256;

/**
 * Ops publishes `{ id, keyHash }` here when a key is revoked (its event bus topic
 * `api-client-revoked`, namespaced `ops:`); every gateway drops that verdict from its caches.
 */
export const API_CLIENT_REVOKED_CHANNEL = 'ops:api-client-revoked';

const QUERY =
  'query ApiClientByKey($key: String!) { apiClientByKey(key: $key) { id name allowedOperations } }';

interface Options {
  /** Null without OPS_URL or INTERNAL_SECRET: every key is refused as unverifiable. */
  ops: OpsClient | null;
  redis: Redis | null;
  redisKeyPrefix: string;
  logger: Logger;
}

/**
 * Partner API keys are ops' API clients. The gateway asks ops (as the `gateway` service, the
 * query is internal and @inaccessible in the public graph) and caches the verdict under the key's
 * SHA-256, never the key itself: in memory, and in Redis when configured so N gateways share it.
 * A revoked key stops at once when Redis carries ops' revocation message (see
 * listenForRevocations); without Redis it keeps working for at most VERDICT_TTL_MS.
 */
export function createApiKeyVerifier({ ops, redis, redisKeyPrefix, logger }: Options): ApiKeyVerifier {
  // Verdicts kept in this process, each with its own TTL; null (an unknown key) is stored boxed,
  // since lru-cache does not hold null values.
  const local = new LRUCache<string, { client: ApiClient | null }>({ max: 10_000, ttl: VERDICT_TTL_MS });
  const inFlight = new Map<string, Promise<ApiClient | null>>();
  const localTtl = (client: ApiClient | null): number => {
    if (redis) return LOCAL_TTL_WITH_REDIS_MS;
    return client ? VERDICT_TTL_MS : UNKNOWN_TTL_MS;
  };

  async function askOps(key: string): Promise<ApiClient | null> {
    if (!ops)
      throw new AuthUnavailableError(
        'Partner API keys are not configured on this gateway (OPS_URL, INTERNAL_SECRET).',
      );
    let data: { apiClientByKey?: ApiClient | null };
    try {
      data = await ops.query<{ apiClientByKey?: ApiClient | null }>(QUERY, { key });
    } catch (err) {
      if (!(err instanceof OpsUnavailableError)) throw err;
      logger.error({ err }, 'ops could not check an API key');
      throw new AuthUnavailableError('Partner API keys cannot be checked right now.');
    }
    if (!('apiClientByKey' in data))
      throw new AuthUnavailableError('Partner API keys cannot be checked right now.');
    const client = data.apiClientByKey ?? null;
    return client && { id: client.id, name: client.name, allowedOperations: [...client.allowedOperations] };
  }

  async function lookUp(hash: string, key: string): Promise<ApiClient | null> {
    const redisKey = `${redisKeyPrefix}apikey:${hash}`;
    if (redis) {
      try {
        const cached = await redis.get(redisKey);
        if (cached !== null) return (JSON.parse(cached) as { client: ApiClient | null }).client;
      } catch (err) {
        logger.warn({ err }, 'API key cache unavailable; asking ops');
      }
    }
    const client = await askOps(key);
    if (redis) {
      await redis
        .set(redisKey, JSON.stringify({ client }), 'PX', client ? VERDICT_TTL_MS : UNKNOWN_TTL_MS)
        .catch((err: unknown) => {
          logger.warn({ err }, 'could not share an API key verdict');
        });
    }
    return client;
  }

  const stopListening = redis
    ? listenForRevocations(redis, logger, (keyHash) => {
        local.delete(keyHash);
        redis
          .del(`${redisKeyPrefix}apikey:${keyHash}`)
          .catch((err: unknown) => logger.warn({ err }, 'could not drop a shared API key verdict'));
      })
    : async () => {};

  return {
    async verify(key) {
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) return null;
      const hash = createHash('sha256').update(key).digest('hex');
      const known = local.get(hash);
      if (known !== undefined) return known.client;
      let pending = inFlight.get(hash);
      if (!pending) {
        pending = lookUp(hash, key).finally(() => inFlight.delete(hash));
        inFlight.set(hash, pending);
      }
      const client = await pending;
      local.set(hash, { client }, { ttl: localTtl(client) });
      return client;
    },
    close: () => stopListening(),
  };
}

/**
 * Subscribes on a connection of its own (a subscribed Redis connection can do nothing else) and
 * calls `drop` with each revoked key's hash. ioredis resubscribes after a reconnect.
 */
function listenForRevocations(
  redis: Redis,
  logger: Logger,
  drop: (keyHash: string) => void,
): () => Promise<void> {
  const subscriber = redis.duplicate({ commandTimeout: undefined });
  subscriber.on('error', (err: Error) => logger.debug({ err }, 'API key revocation listener: redis error'));
  subscriber
    .subscribe(API_CLIENT_REVOKED_CHANNEL)
    .catch((err: unknown) => logger.warn({ err }, 'cannot listen for API key revocations'));
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      const { keyHash } = JSON.parse(message) as { keyHash?: unknown };
      if (typeof keyHash === 'string' && /^[0-9a-f]{64}$/.test(keyHash)) drop(keyHash);
    } catch (err) {
      logger.warn({ err }, 'unreadable API key revocation message');
    }
  });
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
