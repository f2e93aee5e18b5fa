import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationLimits } from '../config.js';
import type { GatewayContext } from '../http/context.js';
import { ErrorCode, refusal } from '../errors.js';
import { MeasurementCache } from './cache.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/**
 * Refuses an operation over a limit (depth, aliases, root fields, cost) with HTTP 400 and
 * OPERATION_LIMIT_EXCEEDED, after validation and before the query planner or any subgraph. The
 * token limit is enforced earlier, by the parser itself (ApolloServer's parseOptions.maxTokens).
 */
export function createOperationLimitsPlugin(
  limits: OperationLimits,
  metrics: GatewayMetrics,
): ApolloServerPlugin<GatewayContext> {
  // Measured once per operation (and per value of the variables its cost reads), not per request.
  const measures = new MeasurementCache(limits.defaultListSize);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, queryHash, source }) {
          if (!operation) return;
          // Apollo hashes every document it runs; the subscription hub passes only the text.
          const text = source ?? request.query;
          const documentKey =
            queryHash ?? (text === undefined ? null : createHash('sha256').update(text).digest('hex'));
          const measured = measures.measure(
            schema,
            document,
            operation,
            request.variables ?? {},
            documentKey,
          );
          const over = (
            [
              [
                'depth',
                measured.depth,
                limits.depth,
                `The operation is ${measured.depth} levels deep; the limit is ${limits.depth}.`,
              ],
              [
                'aliases',
                measured.aliases,
                limits.aliases,
                `The operation uses ${measured.aliases} aliases; the limit is ${limits.aliases}.`,
              ],
              [
                'rootFields',
                measured.rootFields,
                limits.rootFields,
                `The operation selects ${measured.rootFields} root fields; the limit is ${limits.rootFields}.`,
              ],
              [
                'cost',
                measured.cost,
                limits.cost,
                `The operation's estimated cost is ${measured.cost}; the limit is ${limits.cost}. Ask for fewer items (first/limit).`,
              ],
            ] as const
          ).find(([, actual, limit]) => actual > limit);
          if (!over) return;
          const [reason, actual, limit, message] = over;
          metrics.refusals.inc({ reason });
          throw refusal(message, ErrorCode.OPERATION_LIMIT_EXCEEDED, 400, { reason, limit, actual });
        },
      };
    },
  };
}
