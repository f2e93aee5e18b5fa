import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../http/context.js';

/**
 * Names the request's operation once resolved: for the request histogram (observed by the HTTP
 * layer when the response finishes, so refusals before Apollo count too) and in the request's
 * logger, which the data sources log subgraph failures with.
 */
export function createMetricsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.observed.operationName = operationName;
          if (operationName) contextValue.logger = contextValue.logger.child({ operationName });
        },
      };
    },
  };
}
