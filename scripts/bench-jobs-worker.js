// @ts-check
// A job worker for scripts/bench-jobs.js: works `bench.noop` and prints, for each job, the
// milliseconds from its enqueue (payload.sentAt, the parent's clock: same machine) to the handler
// starting. Env: DATABASE_URL, SCHEMA.
import pino from 'pino';
import { Registry } from 'prom-client';
import { createJobQueue, defineJob } from '@terrarium/subgraph-kit/jobs';

const noop = defineJob('bench.noop', { concurrency: 8, retryLimit: 0 });
const jobs = await createJobQueue({
  databaseUrl: String(process.env.DATABASE_URL),
  schema: String(process.env.SCHEMA),
  mode: 'worker',
  logger: pino({ level: 'silent' }),
  registry: new Registry(),
});
await jobs.work(noop, async (payload) => {
  process.stdout.write(`L ${Date.now() - /** @type {{ sentAt: number }} */ (payload).sentAt}\n`);
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  jobs.stop(2).finally(() => process.exit(0));
});
