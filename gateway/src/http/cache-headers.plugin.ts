import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';
import { cacheControlFor } from '../persisted/cache-policy.js';

/** What a kept answer depends on besides its URL: CORS (Origin), a user's token, a partner key. */
const CACHEABLE_VARY = 'Origin, Authorization, x-api-key';

/**
 * Sets Cache-Control on every GraphQL response from the subgraphs' @cacheControl hints (Apollo
 * Gateway's data sources fold each subgraph's `Cache-Control: max-age=N, public|private` into the
 * request's overall policy; a subgraph without one makes the response uncacheable) and from the
 * caller (see cacheControlFor). Apollo's own cache-control plugin is installed with
 * calculateHttpHeaders: false, so this is the header's only writer.
 */
export function createCacheHeadersPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, overallCachePolicy, operation, contextValue, request }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : null;
          const policy = overallCachePolicy.policyIfCacheable();
          const value = cacheControlFor({
            operationType: operation?.operation ?? null,
            hasErrors: !single || (single.errors?.length ?? 0) > 0,
            personal:
              contextValue.caller.userId !== null || request.http?.headers.get('authorization') !== undefined,
            policy: policy && {
              maxAge: policy.maxAge,
              scope: policy.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC',
            },
          });
          response.http.headers.set('cache-control', value);
          // A cache must not hand an answer kept for one caller to another: an anonymous public
          // answer to a user's token or a partner's key (whose answer also carries the partner's
          // CORS headers), one partner's to another, or a private one in a browser to the next
          // user signed in there. Origin is repeated because these headers replace the CORS
          // guard's `Vary: Origin`.
          if (!value.includes('no-store')) response.http.headers.set('vary', CACHEABLE_VARY);
        },
      };
    },
  };
}
