import { createHash, randomUUID } from 'node:crypto';
import { TTL, type Cache } from '@terrarium/subgraph-kit/cache';

/**
 * The catalog's list version. Every cached list (products(...), searchSuggestions) carries the
 * version it was computed under, and every product write replaces the version after its commit, so
 * one write invalidates every list at O(1) cost; an entry of an old version is a miss and is
 * replaced, or expires with TTL.LIST.
 *
 * The "counter" is a fresh random token rather than n + 1: the cache has no atomic increment, and
 * two writers that both read n would both write n + 1, letting a list cached between the two
 * writes survive the second one. Distinct tokens cannot collide, including after the key is
 * evicted or Redis restarts empty.
 */
export const VERSION_KEY = 'products:version';

/**
 * The version outlives any list entry by far; if it is evicted anyway, the next read starts a
 * new one, which only costs misses. @default 7 days
 */
const VERSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Starts a new list version: every list cached so far becomes a miss. */
export async function bumpListVersion(cache: Cache): Promise<string> {
  const version = randomUUID();
  await cache.set(VERSION_KEY, version, VERSION_TTL_MS);
  return version;
}

/** A cached list with the version it was computed under. */
interface VersionedList<T> {
  version: string;
  value: T;
}

/**
 * A list result, cached under a hash of its arguments (so that a 200-character search makes a
 * short key) with the version it was computed under; an entry of another version is a miss. The
 * version and the entry are read in one round trip (MGET), where keying entries by version needed
 * the version first. A list computed while a write bumped the version is stored under the old
 * version, so it is never served. `kind` names the list: products, suggestions.
 */
export async function cachedList<T>(
  cache: Cache,
  kind: string,
  args: unknown,
  compute: () => Promise<T>,
): Promise<T> {
  const digest = createHash('sha256').update(JSON.stringify(args)).digest('base64url');
  const key = `products:${kind}:${digest}`;
  const [current, cached] = await cache.getMany<string | VersionedList<T>>([VERSION_KEY, key]);
  const version = typeof current === 'string' ? current : await bumpListVersion(cache);
  if (isVersionedList<T>(cached) && cached.version === version) return cached.value;
  const value = await compute();
  await cache.set<VersionedList<T>>(key, { version, value }, TTL.LIST);
  return value;
}

function isVersionedList<T>(entry: unknown): entry is VersionedList<T> {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof (entry as { version?: unknown }).version === 'string'
  );
}
