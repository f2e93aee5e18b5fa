import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '../errors.js';
import type { GatewayContext } from '../http/context.js';

/**
 * A subgraph's RATE_LIMITED refusal (ops' failed log-in limit) answers HTTP 429 with Retry-After,
 * like the gateway's own rate limit, so clients and proxies back off the same way whichever limit
 * they hit. Retry-After is the longest `extensions.retryAfterSeconds` among those errors (1 s when
 * none says). Runs after formatError, which keeps `code` and `retryAfterSeconds`.
 */
export function createRateLimitedStatusPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = (response.body.singleResult.errors ?? []).filter(
            (error) => error.extensions?.['code'] === ErrorCode.RATE_LIMITED,
          );
          if (limited.length === 0) return;
          const seconds = Math.max(
            1,
            ...limited.map((error) => Number(error.extensions?.['retryAfterSeconds']) || 1),
          );
          response.http.status = 429;
          response.http.headers.set('retry-after', String(Math.ceil(seconds)));
        },
      };
    },
  };
}
