import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '@terrarium/platform/health';
import { createOperationLabeler, type OperationLabeler } from '@terrarium/platform/metric-labels';

/** Prometheus metrics of one subgraph process, served at /metrics. */
export interface SubgraphMetrics {
  registry: Registry;
  operations: Histogram<'operation' | 'status'>;
  /** A bounded label for an operation name (the first 500 names, then "other"): names are client-chosen. */
  operationLabel: OperationLabeler;
  sqlStatements: Counter;
  cacheResults: Counter<'result'>;
  /** Per configured replica: 1 while lag-tolerant reads may go to it, as of its last probe. */
  replicaUsable: Gauge<'replica'>;
}

export function createMetrics(subgraph: string): SubgraphMetrics {
  const registry = createMetricsRegistry({ subgraph });
  return {
    registry,
    operations: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operations by name and outcome',
      labelNames: ['operation', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    operationLabel: createOperationLabeler(),
    sqlStatements: new Counter({
      name: 'sql_statements_total',
      help: 'SQL statements sent to Postgres',
      registers: [registry],
    }),
    cacheResults: new Counter({
      name: 'cache_requests_total',
      help: 'Cache lookups by result (hit, miss, error)',
      labelNames: ['result'],
      registers: [registry],
    }),
    replicaUsable: new Gauge({
      name: 'db_replica_usable',
      help: 'Database replica usable for lag-tolerant reads (1: answering and within the lag budget)',
      labelNames: ['replica'],
      registers: [registry],
    }),
  };
}
