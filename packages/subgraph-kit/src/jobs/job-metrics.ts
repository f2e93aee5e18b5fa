import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface JobMetrics {
  failed: Counter<'queue'>;
  completed: Counter<'queue'>;
  /** Seconds from the moment a job could start (enqueue, or its startAfter) to its handler starting. */
  latency: Histogram<'queue'>;
}

/** Job states pg-boss counts as waiting. */
const WAITING = ['created', 'retry'];

/**
 * `jobs_*` on the subgraph's /metrics. Queued and active are read from the jobs table at scrape
 * time (every worker's jobs, not just this process's); failed, completed and latency count what
 * this process handled.
 */
export function createJobMetrics(
  registry: Registry,
  countByState: () => Promise<{ queue: string; state: string; count: number }[]>,
): JobMetrics {
  const states = async () => countByState().catch(() => []);
  new Gauge({
    name: 'jobs_queued',
    help: 'Jobs waiting to run (created or waiting to retry), by queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await states())
        if (WAITING.includes(row.state)) this.inc({ queue: row.queue }, row.count);
    },
  });
  new Gauge({
    name: 'jobs_active',
    help: 'Jobs running now, by queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await states()) if (row.state === 'active') this.set({ queue: row.queue }, row.count);
    },
  });
  return {
    failed: new Counter({
      name: 'jobs_failed_total',
      help: 'Job attempts that failed, by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    completed: new Counter({
      name: 'jobs_completed_total',
      help: 'Jobs completed, by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'jobs_latency_seconds',
      help: 'Seconds from enqueue (or startAfter) to the handler starting, by queue',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}
