/** Types of queries.js, for the gateway's differential test (TypeScript). */
export interface BenchQuery {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Subgraph fetches in the query plan. */
  fetches: number;
}

export const BENCH_QUERIES: readonly BenchQuery[];
