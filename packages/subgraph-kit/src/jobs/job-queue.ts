import type { EntityManager } from '@mikro-orm/postgresql';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { deadLetterName, type JobDefinition } from './define-job.js';
import { runInBackground } from './background.js';
import { handledOnce, handledTableSql } from './handled-once.js';
import { createJobDatabase } from './job-database.js';
import { createJobMetrics, type JobMetrics } from './job-metrics.js';
import { runsWorkers, type JobsMode } from './jobs-mode.js';
import { transactionExecutor } from './outbox.js';
import { WAKE_SQL, listenForWakes, wakeChannel, type WakeListener } from './wake-listener.js';

/** Connections of the queue's own pool (workers, schedules, maintenance). @default 4 */
const POOL_SIZE = 4;
/** unique_violation, duplicate_table, duplicate_object: what losing a concurrent `create ... if not exists` raises. */
const CREATE_RACE_CODES = new Set(['23505', '42P07', '42710']);

export interface EnqueueOptions {
  /**
   * At most one job per key in each `singletonSeconds` window (pg-boss `singletonKey` with
   * `singletonSeconds`); a second enqueue in the window resolves to null. On a queue whose
   * policy is `singleton` or `stately` the key also limits running jobs (see JobOptions.policy).
   */
  singletonKey?: string;
  /** @default 3_600 s when singletonKey is set */
  singletonSeconds?: number;
  /** Run no earlier than this many seconds from now. */
  startAfterSeconds?: number;
}

export interface JobRun {
  id: string;
  queue: string;
  /** 0 on the first attempt. */
  retryCount: number;
  /**
   * Runs `effect` at most once for this job, in one transaction with the key's record: a job run
   * again after a crash has its effect once. `em` is any EntityManager of the subgraph.
   */
  once<T>(em: EntityManager, effect: (tx: EntityManager) => Promise<T>): Promise<T | undefined>;
}

export type JobHandler<TPayload> = (payload: TPayload, run: JobRun) => Promise<void>;

export interface JobQueue {
  readonly mode: JobsMode;
  /** The Postgres schema holding this subgraph's jobs (`<databaseSchema>_jobs`). */
  readonly schema: string;
  /**
   * Enqueues in `em`'s transaction when it has one (the outbox: the job commits or rolls back
   * with the write), on `em`'s connection otherwise, and wakes the queue's workers in every
   * process once that commits. Resolves to the job id, or null when a singleton key already has a job.
   */
  enqueue<P extends object>(
    em: EntityManager,
    job: JobDefinition<P>,
    payload: P,
    options?: EnqueueOptions,
  ): Promise<string | null>;
  /** Works the queue in this process (not in `api` mode). Any number of processes may work one queue. */
  work<P extends object>(job: JobDefinition<P>, handler: JobHandler<P>): Promise<void>;
  /** A cron schedule (UTC, minute resolution) that enqueues `job` once per tick for the whole cluster. */
  schedule<P extends object>(job: JobDefinition<P>, cron: string, payload: P): Promise<void>;
  /** Stops fetching, waits for running handlers (up to `graceSeconds`), closes the pool. */
  stop(graceSeconds?: number): Promise<void>;
}

export interface JobQueueOptions {
  databaseUrl: string;
  /** @default `<subgraphSchema>_jobs` */
  schema: string;
  mode: JobsMode;
  logger: Logger;
  registry: Registry;
  /**
   * How often a worker process looks for jobs whose worker died (active past expireInSeconds) and
   * hands them back for a retry. @default 30 s
   */
  maintenanceIntervalSeconds?: number;
  /**
   * How often a worker process checks the cron schedules (pg-boss's cronMonitorIntervalSeconds,
   * the process that wins the database's once-per-interval update fires the due ticks) and moves
   * fired ticks into their queues (cronWorkerIntervalSeconds). Tests lower it. @default 30 s and 5 s
   */
  cronIntervalSeconds?: number;
  /**
   * How often an idle worker asks for jobs. An enqueue wakes the queue's workers in every process
   * at once (LISTEN/NOTIFY, wake-listener.ts), so polling only finds what no notification
   * announces: delayed jobs and retries coming due, cron ticks, and jobs sent while a listener was
   * reconnecting. Tests raise it to show the wake-ups. @default 2 s
   */
  pollSeconds?: number;
}

/**
 * A subgraph's durable job queue: pg-boss 10 in its own Postgres schema. Retries with exponential
 * backoff, a dead-letter queue per job, cron schedules (pg-boss's timekeeper takes a database
 * lock, so a tick fires once however many processes run it), singleton keys and `jobs_*` metrics.
 */
export async function createJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const { schema, mode, logger } = options;
  const workers = runsWorkers(mode);
  const pollSeconds = options.pollSeconds ?? 2;
  // Ours rather than pg-boss's own pool: see job-database.ts (a refused completion must not end the process).
  const database = createJobDatabase({
    databaseUrl: options.databaseUrl,
    schema,
    max: POOL_SIZE,
    applicationName: `${schema}-${mode}`,
    logger,
  });
  const boss = new PgBoss({
    db: database,
    schema,
    // Maintenance (expiring jobs of dead workers, archiving) and cron run where workers run.
    supervise: workers,
    schedule: workers,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    ...(options.cronIntervalSeconds
      ? {
          cronMonitorIntervalSeconds: options.cronIntervalSeconds,
          cronWorkerIntervalSeconds: options.cronIntervalSeconds,
        }
      : {}),
  });
  // A worker's failed fetch, maintenance or cron run (Postgres restarting): pg-boss tries again.
  boss.on('error', (err) => logger.warn({ err }, 'job queue error'));
  await boss.start().catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  // Instances starting at once on a new schema race on `create table if not exists` (a unique
  // violation on pg_type, "relation exists", or "type exists" for the table's row type): the
  // loser finds the table made by the winner.
  await database.executeSql(handledTableSql(schema), []).catch((err: { code?: string }) => {
    if (!CREATE_RACE_CODES.has(err.code ?? '')) throw err;
  });
  const metrics: JobMetrics = createJobMetrics(options.registry, async () => {
    const { rows } = await database.executeSql(
      `select name as queue, state::text as state, count(*)::int as count from "${schema}".job where state in ('created','retry','active') group by 1, 2`,
      [],
    );
    return rows as { queue: string; state: string; count: number }[];
  });

  /**
   * pg-boss 10's create_queue takes no lock: processes creating one queue at once (instances and
   * workers starting together) can deadlock or collide. It is idempotent, so the loser retries.
   */
  const createQueue = async (name: string, queueOptions: PgBoss.Queue): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await boss.createQueue(name, queueOptions);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 5 || (code !== '40P01' && code !== '23505')) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  };
  const created = new Map<string, Promise<void>>();
  const workerIds = new Map<string, string>();
  const channel = wakeChannel(schema);
  const wakeListener: WakeListener | null = workers
    ? listenForWakes({
        databaseUrl: options.databaseUrl,
        channel,
        onWake: (queue) => {
          const workerId = workerIds.get(queue);
          if (workerId) boss.notifyWorker(workerId);
        },
        logger,
      })
    : null;
  const ensureQueue = (job: JobDefinition<object>): Promise<void> => {
    let ready = created.get(job.name);
    if (!ready) {
      const { retryLimit, retryDelay, retryBackoff, expireInSeconds, deadLetter } = job.options;
      ready = (async () => {
        if (deadLetter) await createQueue(deadLetterName(job.name), { name: deadLetterName(job.name) });
        await createQueue(job.name, {
          name: job.name,
          policy: job.options.policy,
          retryLimit,
          retryDelay,
          retryBackoff,
          expireInSeconds,
          ...(deadLetter ? { deadLetter: deadLetterName(job.name) } : {}),
        });
      })();
      ready.catch(() => created.delete(job.name));
      created.set(job.name, ready);
    }
    return ready;
  };

  const runOne = async <P extends object>(
    job: JobDefinition<P>,
    handler: JobHandler<P>,
    item: PgBoss.JobWithMetadata<P>,
  ) => {
    metrics.latency.observe({ queue: job.name }, Math.max(0, Date.now() - item.startAfter.getTime()) / 1000);
    const run: JobRun = {
      id: item.id,
      queue: job.name,
      retryCount: item.retryCount,
      once: (em, effect) => handledOnce(em, schema, `${job.name}:${item.id}`, effect),
    };
    try {
      await runInBackground(() => handler(item.data, run));
      metrics.completed.inc({ queue: job.name });
    } catch (err) {
      metrics.failed.inc({ queue: job.name });
      logger.warn(
        { err, job: job.name, jobId: item.id, retryCount: item.retryCount },
        'job failed; pg-boss retries it with backoff',
      );
      await boss.fail(job.name, item.id, { message: err instanceof Error ? err.message : String(err) });
    }
  };

  return {
    mode,
    schema,
    async enqueue(em, job, payload, enqueueOptions = {}) {
      await ensureQueue(job);
      const db = transactionExecutor(em);
      const id = await boss.send(job.name, payload, {
        db,
        ...(enqueueOptions.singletonKey
          ? {
              singletonKey: enqueueOptions.singletonKey,
              singletonSeconds: enqueueOptions.singletonSeconds ?? 3_600,
            }
          : {}),
        // As a UTC time, not a number: MikroORM inlines the outbox's parameters as literals, and
        // pg-boss's SQL casts a numeric literal to a timestamp in a branch Postgres rejects at parse time.
        ...(enqueueOptions.startAfterSeconds
          ? { startAfter: new Date(Date.now() + enqueueOptions.startAfterSeconds * 1000).toISOString() }
          : {}),
      });
      // A delayed job would find nothing to do now: its worker's polling finds it once due.
      if (id && !enqueueOptions.startAfterSeconds) await db.executeSql(WAKE_SQL, [channel, job.name]);
      return id;
    },
    async work(job, handler) {
      await ensureQueue(job);
      if (!workers) return;
      // One poller per queue fetches up to `concurrency` jobs; each is completed or failed on its
      // own (pg-boss completes the batch's remaining active jobs when the callback resolves).
      let workerId = '';
      workerId = await boss.work<typeof job extends JobDefinition<infer P> ? P : never>(
        job.name,
        { batchSize: job.options.concurrency, pollingIntervalSeconds: pollSeconds, includeMetadata: true },
        async (items) => {
          await Promise.all(items.map((item) => runOne(job, handler, item)));
          // A full batch means more are likely waiting: fetch again at once instead of sleeping
          // out the polling interval (which would cap a worker at `concurrency` jobs per 0.5 s).
          if (items.length === job.options.concurrency) boss.notifyWorker(workerId);
        },
      );
      workerIds.set(job.name, workerId);
    },
    async schedule(job, cron, payload) {
      await ensureQueue(job);
      await boss.schedule(job.name, cron, payload, { tz: 'UTC' });
    },
    async stop(graceSeconds = 10) {
      await wakeListener?.stop();
      await boss.stop({ graceful: true, wait: true, timeout: graceSeconds * 1000 });
      // Given a database, pg-boss leaves closing it to its owner.
      await database.close();
    },
  };
}
