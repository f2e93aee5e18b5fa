// A job worker in a process of its own, for the fault tests in jobs.test.ts (they SIGKILL it).
// Built kit (dist), so it runs under plain node. Env: DATABASE_URL, SCHEMA.
// It works `effect.write`: in one transaction with the job's handled key it inserts a row into
// <SCHEMA>.effect, then holds the job open for `holdMs` after the effect committed, the window
// in which the test kills it. Each start of a handler is printed as `started <jobId>`, its end
// (pg-boss then records the outcome) as `finished <jobId>`.
import pino from 'pino';
import { Registry } from 'prom-client';
import { createJobQueue, defineJob } from '../dist/jobs/index.js';
import { createOrm } from '../dist/orm.js';

const schema = process.env.SCHEMA;
const logger = pino({ level: 'silent' });
const orm = await createOrm({
  databaseUrl: process.env.DATABASE_URL,
  schema,
  entities: [],
  migrations: [],
  logger,
});
const jobs = await createJobQueue({
  databaseUrl: process.env.DATABASE_URL,
  schema: `${schema}_jobs`,
  mode: 'worker',
  logger,
  registry: new Registry(),
  maintenanceIntervalSeconds: 1,
});
const effectWrite = defineJob('effect.write', { expireInSeconds: 2, retryDelay: 1, retryLimit: 5 });
await jobs.work(effectWrite, async (payload, run) => {
  process.stdout.write(`started ${run.id}\n`);
  await run.once(orm.em.fork(), async (tx) => {
    await tx
      .getConnection()
      .execute(
        `insert into "${schema}".effect (job_id, label) values (?, ?)`,
        [run.id, payload.label],
        'all',
        tx.getTransactionContext(),
      );
  });
  process.stdout.write(`committed ${run.id}\n`);
  // Only the first attempt holds: the test kills it in that window.
  if (run.retryCount === 0) await new Promise((resolve) => setTimeout(resolve, payload.holdMs ?? 0));
  process.stdout.write(`finished ${run.id}\n`);
});
process.stdout.write('ready\n');
