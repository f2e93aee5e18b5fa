import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, refusal } from '../errors.js';
import type { GatewayContext } from './context.js';

/**
 * Refuses, before planning, the operations a client got wrong that Apollo Gateway's executor would
 * otherwise fail with a 500: an `operationName` the document does not define, and a subscription
 * sent where only queries and mutations run (subscriptions go over graphql-ws, or over SSE and
 * multipart HTTP with a streaming Accept header, which src/subscriptions/ answers before Apollo).
 */
export function createClientMistakesPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            const message = request.operationName
              ? `Unknown operation named "${request.operationName}".`
              : 'The document defines several operations; say which one with operationName.';
            throw refusal(message, ErrorCode.OPERATION_RESOLUTION_FAILURE, 400);
          }
          if (operation.operation === 'subscription') {
            throw refusal(
              'Subscriptions are served over graphql-ws, or over HTTP with Accept: text/event-stream or multipart/mixed;subscriptionSpec="1.0".',
              ErrorCode.SUBSCRIPTION_NOT_SUPPORTED_HERE,
              400,
            );
          }
        },
      };
    },
  };
}
