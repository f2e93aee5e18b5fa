/** A response's cache policy as Apollo computes it (the minimum over the subgraphs' hints). */
export interface CachePolicy {
  /** Seconds. */
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

export interface CacheFacts {
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /** Errors, or a response that is not a single result: never cached. */
  hasErrors: boolean;
  /** The request carried Authorization (a user's token): the answer may be about that user. */
  personal: boolean;
  /** null when a subgraph sent no max-age (or max-age=0): not cacheable. */
  policy: CachePolicy | null;
}

/**
 * The Cache-Control of a gateway response:
 * - mutations, errors and uncacheable answers: `no-store` (browsers and CDNs would otherwise cache
 *   a GET heuristically);
 * - personal data (a user's token, or a PRIVATE hint): `private, max-age=N`, or `private, no-store`
 *   without a max-age, so no shared cache ever keeps it;
 * - public data: `public, max-age=N`, N the smallest maxAge across the response's hints, which a
 *   CDN may cache for every caller.
 */
export function cacheControlFor({ operationType, hasErrors, personal, policy }: CacheFacts): string {
  if (operationType !== 'query' || hasErrors) return 'no-store';
  if (personal || policy?.scope === 'PRIVATE')
    return policy && policy.maxAge > 0 ? `private, max-age=${policy.maxAge}` : 'private, no-store';
  return policy && policy.maxAge > 0 ? `public, max-age=${policy.maxAge}` : 'no-store';
}
