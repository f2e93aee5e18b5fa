import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { SubgraphMetrics } from './metrics.js';

export interface ObservePluginOptions {
  metrics: SubgraphMetrics;
}

/**
 * Times an operation into `graphql_operation_duration_seconds`, by name and outcome. The name is
 * client-chosen, so it goes through the metrics' capped labeler (new names past the cap: "other").
 */
export function recordOperation(
  metrics: SubgraphMetrics,
  operationName: string | null | undefined,
  hasErrors: boolean,
  seconds: number,
): void {
  metrics.operations.observe(
    { operation: metrics.operationLabel(operationName), status: hasErrors ? 'error' : 'ok' },
    seconds,
  );
}

/** `recordOperation` for every operation Apollo Server runs. */
export function createObservePlugin<TContext extends BaseContext>({
  metrics,
}: ObservePluginOptions): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          recordOperation(metrics, operationName, (errors?.length ?? 0) > 0, seconds);
        },
      };
    },
  };
}
