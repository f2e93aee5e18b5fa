import { Redis, type RedisOptions } from 'ioredis';

/** One Redis Sentinel, as REDIS_SENTINELS lists them. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * Redis behind Sentinel: the sentinels are asked for the current primary of `name`, and asked
 * again after a failover. `url` (optional) carries what the primary needs beyond its address:
 * user, password, database and TLS (rediss://); its host and port are ignored.
 */
export interface SentinelConnection {
  sentinels: readonly SentinelAddress[];
  name: string;
  url: string | null;
}

/** Where Redis is: a plain redis:// URL, or Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME). */
export type RedisTarget = string | SentinelConnection;

/** Sentinel's conventional name for the monitored primary, when REDIS_SENTINEL_NAME is unset. */
const DEFAULT_SENTINEL_NAME = 'mymaster';
const DEFAULT_SENTINEL_PORT = 26379;

/**
 * Reads REDIS_URL, REDIS_SENTINELS ("host:port,host:port") and REDIS_SENTINEL_NAME through `get`
 * (which applies the caller's own prefixing, e.g. PRODUCTS_REDIS_URL first). Problems are pushed
 * onto `problems` so that a configuration reader can list them all at once. Null = no Redis.
 */
export function readRedisTarget(
  get: (key: string) => string | undefined,
  problems: string[],
): RedisTarget | null {
  const url = get('REDIS_URL') || null;
  const rawSentinels = get('REDIS_SENTINELS');
  if (!rawSentinels) return url;
  const sentinels: SentinelAddress[] = [];
  for (const entry of rawSentinels
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    const port = Number(match?.[2] ?? DEFAULT_SENTINEL_PORT);
    if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`REDIS_SENTINELS entries must be host:port, got "${entry}"`);
      continue;
    }
    sentinels.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  if (sentinels.length === 0) problems.push('REDIS_SENTINELS lists no sentinel');
  return { sentinels, name: get('REDIS_SENTINEL_NAME') || DEFAULT_SENTINEL_NAME, url };
}

/** For logs: where Redis is, never its password. */
export function describeRedisTarget(target: RedisTarget): string {
  if (typeof target !== 'string')
    return `sentinel ${target.name} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  const url = new URL(target);
  url.password = '';
  url.username = '';
  return url.toString();
}

/** The options a sentinel connection adds: sentinels, master name, and the URL's credentials. */
function sentinelOptions(target: SentinelConnection): RedisOptions {
  const options: RedisOptions = {
    sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: target.name,
    // Not failoverDetector: on +switch-master during a reconnect it ended the client for good
    // (ioredis 5.9, seen in test/redis-sentinel.test.ts). A dead primary closes the connection
    // anyway, which asks the sentinels again; a primary demoted while alive answers READONLY,
    // which reconnects (reconnectOnError below) to the one the sentinels now name.
    // Keep asking the sentinels while no primary is known (during an election).
    sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  };
  if (target.url) {
    const url = new URL(target.url);
    if (url.username) options.username = decodeURIComponent(url.username);
    if (url.password) options.password = decodeURIComponent(url.password);
    const db = Number(url.pathname.slice(1));
    if (url.pathname.length > 1 && Number.isInteger(db)) options.db = db;
    if (url.protocol === 'rediss:') options.tls = {};
  }
  return options;
}

/**
 * Every ioredis client Terrarium makes (the gateway's, the kit's cache and pub/sub) comes from
 * here, so Sentinel support is one switch: a URL connects directly, a SentinelConnection finds
 * the primary through the sentinels and follows failovers. `options` are the caller's timeouts
 * and retry policy.
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (typeof target === 'string') return new Redis(target, options);
  return reconnectAfterFailover(
    new Redis({
      reconnectOnError: (err) => err.message.startsWith('READONLY'),
      ...options,
      ...sentinelOptions(target),
    }),
  );
}

/** Pause before reconnecting a client ioredis ended on its own. @default 200 ms */
const RECONNECT_AFTER_END_MS = 200;

/**
 * ioredis (5.9) can END a Sentinel client in the middle of a failover: when a reconnect lands on
 * the replica before its promotion completes (or its ready check times out), it disconnects to
 * retry while the sentinel connector is still resolving, and that attempt fails for good
 * ("Connection is closed.", status end), seen in test/redis-sentinel.test.ts. A client ended by
 * anything but our own disconnect()/quit() is connected again. duplicate() copies get the same.
 */
function reconnectAfterFailover(client: Redis): Redis {
  let closing = false;
  const disconnect = client.disconnect.bind(client);
  const quit = client.quit.bind(client);
  const duplicate = client.duplicate.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  client.quit = ((...args: Parameters<Redis['quit']>) => {
    closing = true;
    return quit(...args);
  }) as Redis['quit'];
  client.duplicate = (override) => reconnectAfterFailover(duplicate(override));
  client.on('end', () => {
    if (closing) return;
    setTimeout(() => {
      if (!closing && client.status === 'end') client.connect().catch(() => undefined);
    }, RECONNECT_AFTER_END_MS).unref();
  });
  return client;
}

export type { Redis, RedisOptions };
