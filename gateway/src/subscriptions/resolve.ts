import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import type { GatewayContext } from '../http/context.js';
import { EVENT_SOURCE, type SubscriptionPlan } from './planner.js';
import type { EventResult } from './subscriber.js';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** A data source that answers the plan's primary fetch with the event the subgraph pushed. */
function eventSource(data: Record<string, unknown> | null | undefined): GraphQLDataSource {
  return { process: async () => ({ data: data ?? null }) };
}

/**
 * Resolves the rest of the client's selection for one event: Apollo Gateway's own executor runs
 * the plan (primary fetch, answered by the event, then entity fetches to the other subgraphs),
 * and shapes the result to the client's operation (aliases, fragments, __typename, null bubbling).
 * A subgraph that fails yields its error and partial data, as for a query. Errors the owning
 * subgraph sent with the event are kept, labelled with its name. Everything goes through the
 * gateway's error formatter, so subscriptions leak no more than queries do.
 */
export async function resolveEvent(
  plan: SubscriptionPlan,
  event: EventResult,
  variables: Record<string, unknown>,
  context: GatewayContext,
  formatError: FormatError,
): Promise<EventResult> {
  const upstreamErrors = (event.errors ?? []).map(
    (e) =>
      new GraphQLError(e.message, {
        path: e.path,
        extensions: { ...e.extensions, serviceName: plan.subgraph },
      }),
  );
  // No data at all: the subgraph refused the subscription (authorization, bad input) or failed.
  if (event.data === undefined || event.data === null) {
    return { ...(event.data === null ? { data: null } : {}), errors: format(upstreamErrors, formatError) };
  }
  const services: ServiceMap = { ...plan.generation.services, [EVENT_SOURCE]: eventSource(event.data) };
  const { operationContext, generation } = plan;
  // executeQueryPlan reads request.variables, context, logger and metrics (where it records
  // error paths); the data sources read context. The rest of a request context is not used.
  const requestContext = {
    request: { variables },
    context,
    logger: context.logger,
    metrics: {},
    schema: operationContext.schema,
    operation: operationContext.operation,
    operationName: operationContext.operation.name?.value ?? null,
  } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
  const result = await executeQueryPlan(
    plan.queryPlan,
    services,
    requestContext,
    operationContext,
    generation.supergraphSchema,
    generation.apiSchema,
  );
  const errors = [...upstreamErrors, ...(result.errors ?? [])];
  return {
    data: (result.data ?? null) as Record<string, unknown> | null,
    ...(errors.length > 0 ? { errors: format(errors, formatError) } : {}),
  };
}

function format(errors: readonly GraphQLError[], formatError: FormatError): GraphQLFormattedError[] {
  return errors.map((error) => formatError(error.toJSON(), error));
}
