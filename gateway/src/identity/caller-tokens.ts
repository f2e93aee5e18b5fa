import { signCaller, type Caller } from '@terrarium/platform/caller';
import { LRUCache } from 'lru-cache';

/**
 * A signed token is reused for this long (tokens live 60 s, so a reused one still has 30 s left,
 * more than any request's fan-out). Spares an HMAC per request for the same caller. @default 30_000 ms
 */
const REUSE_MS = 30_000;

/** Signs callers for subgraphs (x-terrarium-caller), reusing a recent token for the same caller. */
export function createCallerTokens(secret: string | null) {
  const recent = new LRUCache<string, string>({ max: 10_000, ttl: REUSE_MS });
  return async (caller: Caller): Promise<string | null> => {
    if (!secret) return null;
    const key = JSON.stringify(caller);
    const cached = recent.get(key);
    if (cached) return cached;
    const token = await signCaller(caller, secret);
    recent.set(key, token);
    return token;
  };
}
