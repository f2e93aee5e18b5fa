/**
 * A cluster of workers on one job schema (as a subgraph's instances and `--worker` processes are):
 * two job queues, each with its own pg-boss and pool, work the same queue and each job runs once;
 * two schedulers of one cron schedule enqueue it once per tick however often both check it.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue, defineJob, type JobQueue } from '../src/jobs/index.js';
import { createOrm, type Orm } from '../src/orm.js';
import { eventually } from '../src/testing.js';

const databaseUrl = process.env['DATABASE_URL']!;
const schema = `jobs_cluster_${randomBytes(4).toString('hex')}`;
const jobsSchema = `${schema}_jobs`;
const logger = pino({ level: 'silent' });

let orm: Orm;
let api: JobQueue;
const queues: JobQueue[] = [];

const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
  (await orm.em.fork().getConnection().execute(text, params, 'all')) as T[];

/** One more process's job queue on the shared schema, in worker mode. */
async function workerQueue(cronIntervalSeconds?: number): Promise<JobQueue> {
  const queue = await createJobQueue({
    databaseUrl,
    schema: jobsSchema,
    mode: 'worker',
    logger,
    registry: new Registry(),
    ...(cronIntervalSeconds ? { cronIntervalSeconds } : {}),
  });
  queues.push(queue);
  return queue;
}

beforeAll(async () => {
  orm = await createOrm({ databaseUrl, schema, entities: [], migrations: [], logger });
  api = await createJobQueue({
    databaseUrl,
    schema: jobsSchema,
    mode: 'api',
    logger,
    registry: new Registry(),
  });
});

afterAll(async () => {
  for (const queue of queues) await queue.stop();
  await api?.stop();
  await sql(`drop schema if exists "${jobsSchema}" cascade`);
  await sql(`drop schema if exists "${schema}" cascade`);
  await orm?.close();
});

describe('job queue: a cluster of workers on one schema', () => {
  it('two workers on one queue: every job is handled exactly once, by one of them', async () => {
    const shared = defineJob<{ n: number }>('cluster.shared', { concurrency: 2, expireInSeconds: 60 });
    const runs: { by: string; id: string; n: number }[] = [];
    const started = new Set<string>();
    const [a, b] = await Promise.all([workerQueue(), workerQueue()]);
    for (const [by, queue] of [
      ['a', a],
      ['b', b],
    ] as const) {
      await queue.work(shared, async ({ n }, run) => {
        runs.push({ by, id: run.id, n });
        started.add(by);
        // Each worker holds its first jobs until the other has fetched some: both work the queue
        // at the same time, so a job fetched twice would show here.
        await eventually(() => started.size === 2, 20_000, 'both workers to hold jobs');
      });
    }
    const total = 40;
    for (let n = 0; n < total; n += 1) await api.enqueue(orm.em.fork(), shared, { n });

    await eventually(
      async () =>
        (
          await sql<{ count: number }>(
            `select count(*)::int as count from "${jobsSchema}".job where name = 'cluster.shared' and state = 'completed'`,
          )
        )[0]?.count === total,
      30_000,
      'every job to complete',
    );
    expect(runs).toHaveLength(total);
    expect(new Set(runs.map((r) => r.id)).size).toBe(total);
    expect(runs.map((r) => r.n).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(new Set(runs.map((r) => r.by))).toEqual(new Set(['a', 'b']));
  }, 60_000);

  it('two schedulers of one cron schedule enqueue it once per tick, however often both check it', async () => {
    // The whole case runs inside one UTC minute (one tick of `* * * * *`): it needs a few seconds.
    if (new Date().getUTCSeconds() > 30)
      await new Promise((resolve) => setTimeout(resolve, (61 - new Date().getUTCSeconds()) * 1000));
    const minute = Math.floor(Date.now() / 60_000);
    const tick = defineJob<{ from: string }>('cluster.tick', { expireInSeconds: 60 });
    const handled: string[] = [];
    // Both check the schedules every second (pg-boss's default is 30 s) and both register it, as
    // every instance of a subgraph does at start.
    const [a, b] = await Promise.all([workerQueue(1), workerQueue(1)]);
    for (const [from, queue] of [
      ['a', a],
      ['b', b],
    ] as const) {
      await queue.work(tick, async () => {
        handled.push(from);
      });
      await queue.schedule(tick, '* * * * *', { from });
    }
    await eventually(() => handled.length > 0, 20_000, 'the first tick to be handled');

    // Every check that wins the database's once-a-second update moves version.cron_on and fires
    // the due schedules; three more such rounds inside this minute must enqueue nothing more.
    const cronOn = async () =>
      String((await sql<{ cron_on: Date }>(`select cron_on from "${jobsSchema}".version`))[0]?.cron_on);
    const seen = new Set([await cronOn()]);
    await eventually(
      async () => {
        seen.add(await cronOn());
        return seen.size > 3;
      },
      20_000,
      'three more schedule checks',
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(Math.floor(Date.now() / 60_000)).toBe(minute);

    const count = async (where: string) =>
      (
        await sql<{ count: number }>(
          `select count(*)::int as count from (select name, data from "${jobsSchema}".job union all select name, data from "${jobsSchema}".archive) j where ${where}`,
        )
      )[0]?.count;
    expect(await count(`name = '__pgboss__send-it' and data->>'name' = 'cluster.tick'`)).toBe(1);
    expect(await count(`name = 'cluster.tick'`)).toBe(1);
    expect(handled).toHaveLength(1);
  }, 90_000);
});
