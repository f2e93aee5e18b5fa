import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createOperationLabeler, type OperationLabeler } from '@terrarium/platform/metric-labels';

export interface GatewayMetrics {
  registry: Registry;
  /** GraphQL requests by operation name and HTTP status (its _count is the request count). */
  requests: Histogram<'operation' | 'status'>;
  subgraphFetches: Histogram<'subgraph'>;
  subgraphErrors: Counter<'subgraph' | 'reason'>;
  subgraphRetries: Counter<'subgraph'>;
  refusals: Counter<'reason'>;
  /** A bounded label for an operation name (the first 500 names, then "other"). */
  operationLabel: OperationLabeler;
}

/** The gateway's Prometheus metrics, served at /metrics; one registry per gateway instance. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gateway' });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Histogram({
      name: 'graphql_requests_duration_seconds',
      help: 'GraphQL requests at the gateway by operation name and HTTP status',
      labelNames: ['operation', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    subgraphFetches: new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Fetches from the gateway to each subgraph, retries included',
      labelNames: ['subgraph'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    subgraphErrors: new Counter({
      name: 'subgraph_fetch_errors_total',
      help: 'Failed subgraph fetches by reason (timeout, connection, http, graphql)',
      labelNames: ['subgraph', 'reason'],
      registers: [registry],
    }),
    subgraphRetries: new Counter({
      name: 'subgraph_fetch_retries_total',
      help: 'Query fetches retried after a connection failure',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'gateway_refusals_total',
      help: 'Requests refused before execution, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    operationLabel: createOperationLabeler(),
  };
}
