import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  checkEntry,
  indexManifests,
  parseManifest,
  type ManifestEntry,
  type PersistedOperation,
} from './manifest.js';

/** Editors and codegen write in bursts; one reload per burst. @default 100 ms */
const DEBOUNCE_MS = 100;
/** Redis is re-read this often too, in case an update message was missed during a disconnect. @default 30_000 ms */
const DEFAULT_REFRESH_MS = 30_000;

export interface PersistedStore {
  /** The trusted document with this id (64 hex digits), from any client's manifest. */
  get(id: string): PersistedOperation | undefined;
  /** Operation name -> id, for one client's manifest. */
  idsOf(client: string): Record<string, string>;
  /** Bumped on every change of the index (the embed script's ETag follows it). */
  readonly version: number;
  readonly size: number;
  close(): Promise<void>;
}

export interface PersistedStoreOptions {
  /** Directory of `<client>.json` manifests (schema/manifests); watched. */
  dir: string;
  redis: Redis | null;
  /** @default "terrarium:" */
  redisKeyPrefix: string;
  logger: Logger;
  refreshMs?: number;
}

/**
 * The trusted documents this gateway accepts: the manifest files, hot-reloaded, united with the
 * manifests in Redis when configured, so that N gateways (and a deploy that ships a new manifest to
 * one of them first) share them. Layout in Redis: `<prefix>pq:clients` (set of client names),
 * `<prefix>pq:<client>` (hash id -> JSON { name, type, body }), and `<prefix>pq:updated` (channel).
 *
 * Publishing is additive (HSET, never a delete): during a rolling deploy gateways with the old and
 * the new manifest both publish, and clients with either version keep working. A retired operation
 * stays runnable until its hash is deleted by hand; partners are bound by operation name anyway.
 * Every entry, from a file or from Redis, must have id = SHA-256(body), or it is ignored.
 */
export async function createPersistedStore(options: PersistedStoreOptions): Promise<PersistedStore> {
  const { dir, redis, redisKeyPrefix, logger } = options;
  const clientsKey = `${redisKeyPrefix}pq:clients`;
  const clientKey = (client: string) => `${redisKeyPrefix}pq:${client}`;
  const channel = `${redisKeyPrefix}pq:updated`;

  let fromFiles = new Map<string, ManifestEntry[]>();
  let fromRedis = new Map<string, ManifestEntry[]>();
  let index = new Map<string, PersistedOperation>();
  let version = 0;

  const rebuild = () => {
    const merged = new Map<string, ManifestEntry[]>();
    for (const source of [fromRedis, fromFiles]) {
      for (const [client, entries] of source) merged.set(client, [...(merged.get(client) ?? []), ...entries]);
    }
    index = indexManifests(merged);
    version += 1;
  };

  async function readFiles(): Promise<Map<string, ManifestEntry[]>> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (err) {
      logger.warn(
        { err, dir },
        'no persisted-operation manifests directory; only Redis manifests (if any) are served',
      );
      return new Map();
    }
    const read = new Map<string, ManifestEntry[]>();
    for (const name of names) {
      const client = basename(name, '.json');
      try {
        read.set(client, parseManifest(await readFile(join(dir, name), 'utf8'), name));
      } catch (err) {
        // A half-written or broken file keeps the client's previous operations serving.
        const previous = fromFiles.get(client);
        logger.error(
          { err, file: name },
          'persisted-operation manifest refused; the previous version keeps serving',
        );
        if (previous) read.set(client, previous);
      }
    }
    return read;
  }

  async function publish(manifests: ReadonlyMap<string, readonly ManifestEntry[]>): Promise<void> {
    if (!redis || manifests.size === 0) return;
    try {
      const multi = redis.multi();
      for (const [client, entries] of manifests) {
        multi.sadd(clientsKey, client);
        if (entries.length > 0) {
          multi.hset(
            clientKey(client),
            Object.fromEntries(
              entries.map((e) => [e.id, JSON.stringify({ name: e.name, type: e.type, body: e.body })]),
            ),
          );
        }
      }
      multi.publish(channel, [...manifests.keys()].join(','));
      await multi.exec();
    } catch (err) {
      logger.warn(
        { err },
        'could not publish persisted-operation manifests to Redis; this gateway serves its files',
      );
    }
  }

  async function readRedis(): Promise<void> {
    if (!redis) return;
    try {
      const read = new Map<string, ManifestEntry[]>();
      for (const client of (await redis.smembers(clientsKey)).sort()) {
        const hash = await redis.hgetall(clientKey(client));
        const entries: ManifestEntry[] = [];
        for (const [id, value] of Object.entries(hash)) {
          try {
            entries.push(checkEntry({ id, ...(JSON.parse(value) as object) }, `redis ${clientKey(client)}`));
          } catch (err) {
            logger.warn({ err, client, id }, 'ignoring an invalid persisted operation in Redis');
          }
        }
        read.set(client, entries);
      }
      fromRedis = read;
      rebuild();
    } catch (err) {
      logger.warn(
        { err },
        'could not read persisted-operation manifests from Redis; keeping the last known ones',
      );
    }
  }

  fromFiles = await readFiles();
  await publish(fromFiles);
  await readRedis();
  rebuild();
  logger.info(
    { operations: index.size, clients: [...new Set([...fromFiles.keys(), ...fromRedis.keys()])] },
    'persisted operations loaded',
  );

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, (_event, changed) => {
      if (changed !== null && !changed.endsWith('.json')) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        void (async () => {
          fromFiles = await readFiles();
          rebuild();
          logger.info({ operations: index.size }, 'persisted-operation manifests reloaded');
          await publish(fromFiles);
        })();
      }, DEBOUNCE_MS);
    });
    watcher.on('error', (err) => logger.error({ err, dir }, 'manifest watch failed; hot reload is off'));
  } catch (err) {
    logger.warn({ err, dir }, 'cannot watch the manifests directory; hot reload is off');
  }

  // Another gateway published: re-read Redis (a subscriber needs a connection of its own).
  const subscriber = redis?.duplicate() ?? null;
  let refreshTimer: NodeJS.Timeout | undefined;
  if (redis && subscriber) {
    subscriber.on('error', () => {
      // The main connection logs Redis outages; ioredis re-subscribes after reconnecting.
    });
    subscriber.on('message', () => void readRedis());
    await subscriber
      .subscribe(channel)
      .catch((err: unknown) =>
        logger.warn({ err }, 'cannot subscribe to manifest updates; polling Redis only'),
      );
    refreshTimer = setInterval(() => void readRedis(), options.refreshMs ?? DEFAULT_REFRESH_MS);
    refreshTimer.unref();
  }

  return {
    get: (id) => index.get(id),
    idsOf(client) {
      // This gateway's own file wins over another version of the same name in Redis (rolling deploy).
      const ids: Record<string, string> = {};
      for (const source of [fromRedis, fromFiles])
        for (const entry of source.get(client) ?? []) ids[entry.name] = entry.id;
      return ids;
    },
    get version() {
      return version;
    },
    get size() {
      return index.size;
    },
    async close() {
      clearTimeout(timer);
      clearInterval(refreshTimer);
      watcher?.close();
      await subscriber?.quit().catch(() => subscriber.disconnect());
    },
  };
}
