import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationLimits } from '../config.js';
import type { GatewayContext } from '../context.js';
import { GatewayErrorCode, refusal } from '../errors.js';
import { measureOperation } from '../limits/measure.js';
import type { GatewayMetrics } from '../metrics.js';

/**
 * Refuses an operation over a limit (depth, aliases, root fields, cost) with HTTP 400 and
 * OPERATION_LIMIT_EXCEEDED, after validation and before the query planner or any subgraph. The
 * token limit is enforced earlier, by the parser itself (ApolloServer's parseOptions.maxTokens).
 */
export function createOperationLimitsPlugin(limits: OperationLimits, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const measured = measureOperation(schema, document, operation, request.variables ?? {}, limits.defaultListSize);
          const over = (
            [
              ['depth', measured.depth, limits.depth, `The operation is ${measured.depth} levels deep; the limit is ${limits.depth}.`],
              ['aliases', measured.aliases, limits.aliases, `The operation uses ${measured.aliases} aliases; the limit is ${limits.aliases}.`],
              ['rootFields', measured.rootFields, limits.rootFields, `The operation selects ${measured.rootFields} root fields; the limit is ${limits.rootFields}.`],
              ['cost', measured.cost, limits.cost, `The operation's estimated cost is ${measured.cost}; the limit is ${limits.cost}. Ask for fewer items (first/limit).`],
            ] as const
          ).find(([, actual, limit]) => actual > limit);
          if (!over) return;
          const [reason, actual, limit, message] = over;
          metrics.refusals.inc({ reason });
          throw refusal(message, GatewayErrorCode.OPERATION_LIMIT_EXCEEDED, 400, { reason, limit, actual });
        },
      };
    },
  };
}
