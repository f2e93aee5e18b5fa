import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * Names the request's operation in its context once resolved, for the request histogram (observed
 * by the HTTP layer when the response finishes, so refusals before Apollo count too) and for logs.
 */
export function createMetricsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.observed.operationName = operationName;
        },
      };
    },
  };
}
