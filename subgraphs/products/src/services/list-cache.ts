import { createHash, randomUUID } from 'node:crypto';
import { TTL, type Cache } from '@terrarium/subgraph-kit/cache';

/**
 * The catalog's list version. Every cached list (products(...), searchSuggestions) has the
 * current version in its key, and every product write replaces the version after its commit, so
 * one write invalidates every list at O(1) cost; the old entries are never read again and expire
 * with TTL.LIST.
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

/** Starts a new list version: every list cached so far becomes unreachable. */
export async function bumpListVersion(cache: Cache): Promise<string> {
  const version = randomUUID();
  await cache.set(VERSION_KEY, version, VERSION_TTL_MS);
  return version;
}

async function listVersion(cache: Cache): Promise<string> {
  return (await cache.get<string>(VERSION_KEY)) ?? bumpListVersion(cache);
}

/**
 * A list result, cached under the current version and a hash of its arguments (so that a
 * 200-character search makes a short key). `kind` names the list: products, suggestions.
 */
export async function cachedList<T>(
  cache: Cache,
  kind: string,
  args: unknown,
  compute: () => Promise<T>,
): Promise<T> {
  const version = await listVersion(cache);
  const digest = createHash('sha256').update(JSON.stringify(args)).digest('base64url');
  return cache.getOrSet(`products:${kind}:${version}:${digest}`, TTL.LIST, compute);
}
