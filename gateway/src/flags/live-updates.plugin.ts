import type { ApolloServerPlugin } from '@apollo/server';
import type { FeatureFlags } from '@terrarium/platform/feature-flags';
import type { GatewayContext } from '../http/context.js';
import { ErrorCode, refusal } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/**
 * The flag that guards live updates (subscriptions over graphql-ws, SSE and multipart): staff can
 * switch them off for everyone (shedding load in an incident), or roll them out to a share of
 * users or to some organizations. A flag ops has never defined, or flags ops cannot serve, leave
 * them on: a flag outage must not take live updates down with it.
 */
export const LIVE_UPDATES_FLAG = 'live-updates';

/**
 * Refuses a subscription (403 FORBIDDEN, reason `feature_disabled`) when `live-updates` is off
 * for its caller, before it is planned or reaches a subgraph. One evaluation per subscription,
 * from the gateway's in-memory copy of the flags; subscriptions already running keep running.
 */
export function createLiveUpdatesPlugin(
  flags: FeatureFlags,
  metrics: GatewayMetrics,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'subscription') return;
          if (await flags.isEnabled(LIVE_UPDATES_FLAG, contextValue.caller, true)) return;
          metrics.refusals.inc({ reason: 'feature_disabled' });
          throw refusal(
            'Live updates are switched off for you right now; reload the page for fresh data.',
            ErrorCode.FORBIDDEN,
            403,
            {
              reason: 'feature_disabled',
            },
          );
        },
      };
    },
  };
}
