import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue, defineJob, type JobQueue } from '../src/jobs/index.js';
import { createOrm, type Orm } from '../src/orm.js';
import { eventually } from '../src/testing.js';

const databaseUrl = process.env['DATABASE_URL']!;
const schema = `jobs_${randomBytes(4).toString('hex')}`;
const logger = pino({ level: 'silent' });
const effectWrite = defineJob<{ label: string; holdMs?: number }>('effect.write', {
  expireInSeconds: 2,
  retryDelay: 1,
  retryLimit: 5,
});

let orm: Orm;
let api: JobQueue;
const children: ChildProcess[] = [];

const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
  (await orm.em.fork().getConnection().execute(text, params, 'all')) as T[];

/** A worker process (test/jobs-worker.mjs) and the lines it printed so far. */
function startWorker(): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [new URL('./jobs-worker.mjs', import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: databaseUrl, SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { child, lines };
}

beforeAll(async () => {
  orm = await createOrm({ databaseUrl, schema, entities: [], migrations: [], logger });
  await sql(`create schema "${schema}"`);
  await sql(`create table "${schema}".effect (id serial primary key, job_id uuid, label text not null)`);
  api = await createJobQueue({
    databaseUrl,
    schema: `${schema}_jobs`,
    mode: 'api',
    logger,
    registry: new Registry(),
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await api?.stop();
  await sql(`drop schema if exists "${schema}" cascade`);
  await sql(`drop schema if exists "${schema}_jobs" cascade`);
  await orm?.close();
});

const jobsLabelled = (label: string) =>
  sql<{ id: string; state: string }>(
    `select id, state::text as state from "${schema}_jobs".job where name = 'effect.write' and data->>'label' = ?`,
    [label],
  );

describe('job queue (pg-boss in the subgraph schema _jobs)', () => {
  it('outbox: a job enqueued in a rolled-back transaction does not exist; in a committed one it does', async () => {
    await expect(
      orm.em.fork().transactional(async (tx: EntityManager) => {
        await tx
          .getConnection()
          .execute(
            `insert into "${schema}".effect (label) values ('rolled-back write')`,
            [],
            'all',
            tx.getTransactionContext(),
          );
        await api.enqueue(tx, effectWrite, { label: 'rollback' });
        throw new Error('the write fails after the enqueue');
      }),
    ).rejects.toThrow('the write fails');
    expect(await jobsLabelled('rollback')).toHaveLength(0);
    expect(await sql(`select 1 from "${schema}".effect where label = 'rolled-back write'`)).toHaveLength(0);

    let id: string | null = null;
    await orm.em.fork().transactional(async (tx: EntityManager) => {
      id = await api.enqueue(tx, effectWrite, { label: 'commit' });
      // Not visible outside the transaction until it commits.
      expect(await jobsLabelled('commit')).toHaveLength(0);
    });
    const rows = await jobsLabelled('commit');
    expect(rows).toEqual([{ id, state: 'created' }]);
  });

  it('a singleton key admits one waiting job', async () => {
    const first = await api.enqueue(
      orm.em.fork(),
      effectWrite,
      { label: 'single' },
      { singletonKey: 'only-one' },
    );
    const second = await api.enqueue(
      orm.em.fork(),
      effectWrite,
      { label: 'single' },
      { singletonKey: 'only-one' },
    );
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeNull();
  });

  it("an enqueue wakes another process's worker when its transaction commits, not at the worker's next poll", async () => {
    const worker = await createJobQueue({
      databaseUrl,
      schema: `${schema}_jobs`,
      mode: 'worker',
      logger,
      registry: new Registry(),
      pollSeconds: 600,
    });
    const woken = defineJob<{ n: number }>('woken.job');
    const handled: number[] = [];
    try {
      await worker.work(woken, async ({ n }) => {
        handled.push(n);
      });
      await eventually(
        async () =>
          (
            await sql(`select 1 from pg_stat_activity where application_name = ? and query like 'listen %'`, [
              `${schema}_jobs_wake`,
            ])
          ).length === 1,
        20_000,
        'the wake-up listener',
      );
      // The worker's first fetch (at start, finding nothing) is over; its next poll is 10 minutes away.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await orm.em.fork().transactional(async (tx: EntityManager) => {
        await api.enqueue(tx, woken, { n: 1 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Not before the commit: the notification is delivered with it.
        expect(handled).toEqual([]);
      });
      await eventually(() => handled.includes(1), 20_000, 'the woken worker to run the job');
      expect(handled).toEqual([1]);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('a failing job is retried with backoff, then lands in its dead-letter queue; metrics count it', async () => {
    const registry = new Registry();
    const worker = await createJobQueue({
      databaseUrl,
      schema: `${schema}_jobs`,
      mode: 'all',
      logger,
      registry,
    });
    const alwaysFails = defineJob<{ n: number }>('always.fails', {
      retryLimit: 2,
      retryDelay: 1,
      retryBackoff: true,
    });
    const attempts: number[] = [];
    try {
      await worker.work(alwaysFails, async (_payload, run) => {
        attempts.push(Date.now());
        throw new Error(`attempt ${run.retryCount} fails`);
      });
      const id = await worker.enqueue(orm.em.fork(), alwaysFails, { n: 1 });
      const dead = await eventually(
        async () =>
          (
            await sql<{ data: { n: number } }>(
              `select data from "${schema}_jobs".job where name = 'always.fails.dead'`,
            )
          )[0],
        30_000,
        'the dead letter',
      );
      expect(dead.data).toEqual({ n: 1 });
      expect(attempts).toHaveLength(3);
      // Exponential backoff with pg-boss's jitter: the wait after failure n is retryDelay * 2^n plus up
      // to as much again at random (1-2 s, then 2-4 s), so the floor doubles though two draws may tie.
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(950);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1_950);
      const state = await sql<{ state: string }>(
        `select state::text as state from "${schema}_jobs".job where id = ?`,
        [id],
      );
      expect(state[0]?.state).toBe('failed');
      const text = await registry.metrics();
      expect(text).toContain('jobs_failed_total{queue="always.fails"} 3');
      expect(text).toMatch(/jobs_latency_seconds_count\{queue="always.fails"\} 3/);
      expect(text).toMatch(/jobs_queued\{queue="always.fails.dead"\} 1/);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('a worker SIGKILLed after the effect committed: the job runs again on another worker, the effect happens once', async () => {
    const first = startWorker();
    await eventually(async () => first.lines.includes('ready'), 20_000, 'worker 1');
    // Jobs of the earlier tests are worked too; this one holds its worker after committing.
    const id = await api.enqueue(orm.em.fork(), effectWrite, { label: 'killed', holdMs: 60_000 });
    await eventually(async () => first.lines.includes(`committed ${id}`), 20_000, 'the effect to commit');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect((await jobsLabelled('killed'))[0]?.state).toBe('active');

    const second = startWorker();
    await eventually(async () => second.lines.includes(`started ${id}`), 30_000, 'the job to run again');
    await eventually(
      async () => (await jobsLabelled('killed'))[0]?.state === 'completed',
      70_000,
      'the rerun to complete',
    );
    expect(await sql(`select 1 from "${schema}".effect where job_id = ?`, [id])).toHaveLength(1);
    second.child.kill('SIGKILL');
  }, 120_000);

  it("Postgres refusing to record a job's outcome does not end the worker's process: the job runs again, the effect happens once", async () => {
    const worker = startWorker();
    await eventually(async () => worker.lines.includes('ready'), 20_000, 'the worker');
    const id = await api.enqueue(orm.em.fork(), effectWrite, { label: 'outcome refused', holdMs: 1_000 });
    await eventually(async () => worker.lines.includes(`committed ${id}`), 20_000, 'the effect to commit');
    // While the handler holds, the job table goes away: recording the outcome fails (42P01), as
    // it would with Postgres refusing connections or restarting.
    await sql(`alter table "${schema}_jobs".job rename to job_away`);
    try {
      await eventually(async () => worker.lines.includes(`finished ${id}`), 20_000, 'the handler to end');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await sql(`alter table "${schema}_jobs".job_away rename to job`);
    }
    expect(worker.child.exitCode).toBeNull();
    expect((await jobsLabelled('outcome refused'))[0]?.state).not.toBe('completed');

    await eventually(
      async () => worker.lines.filter((line) => line === `started ${id}`).length === 2,
      30_000,
      'the job to run again',
    );
    await eventually(
      async () => (await jobsLabelled('outcome refused'))[0]?.state === 'completed',
      30_000,
      'the rerun to complete',
    );
    expect(await sql(`select 1 from "${schema}".effect where job_id = ?`, [id])).toHaveLength(1);
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGKILL');
  }, 90_000);
});
