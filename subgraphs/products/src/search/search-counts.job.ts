import { defineJob } from '@terrarium/subgraph-kit/jobs';
import type { JobDeps } from '@terrarium/subgraph-kit/subgraph';
import { execute } from '@terrarium/subgraph-kit/sql';
import { KEEP_DAYS } from './search-counts.js';

const pruneJob = defineJob<Record<string, never>>('products.search-counts.prune', { retryLimit: 3 });

/** Daily, once per cluster: Postgres search counts too old to weigh, and results as old, are deleted. */
export async function workSearchCountPruning({ jobs, orm }: JobDeps): Promise<void> {
  await jobs.work(pruneJob, async () => {
    await execute(orm.em.fork(), 'delete from search_count where day <= current_date - ?::int', [KEEP_DAYS]);
    await execute(orm.em.fork(), 'delete from search_result where seen_on <= current_date - ?::int', [
      KEEP_DAYS,
    ]);
  });
  await jobs.schedule(pruneJob, '17 3 * * *', {});
}
