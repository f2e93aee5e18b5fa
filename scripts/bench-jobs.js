// @ts-check
/**
 * `npm run bench` (the job queue part): latency from enqueue to handler start (p50/p99) and
 * throughput (jobs/s) of the kit's pg-boss queue, with one worker process and with two.
 *
 *  - needs DATABASE_URL (a Postgres server): a fresh database is created and dropped at the end;
 *  - latency: jobs enqueued one at a time, 20 a second, onto idle workers (so the figure is the
 *    queue's pickup delay, bounded below by the 0.5 s polling interval, not a backlog);
 *  - throughput: a burst of jobs enqueued 16 at a time; jobs/s from the first enqueue to the last
 *    handler start.
 * Options: BENCH_JOBS (burst size, default 2000), BENCH_LATENCY_JOBS (default 100).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createJobQueue, defineJob } from '@terrarium/subgraph-kit/jobs';
import { createOrm } from '@terrarium/subgraph-kit/orm';
import { admin } from './lib/bench-setup.js';

const BURST = Number(process.env.BENCH_JOBS ?? 2000);
const LATENCY_JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 100);
const noop = defineJob('bench.noop', { concurrency: 8, retryLimit: 0 });
const logger = pino({ level: 'silent' });

/** @param {number[]} sorted @param {number} q */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {string} databaseUrl @param {string} schema @param {number[]} latencies */
function startWorker(databaseUrl, schema, latencies) {
  const child = spawn(process.execPath, [new URL('./bench-jobs-worker.js', import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: databaseUrl, SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ready = false;
  let rest = '';
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') ready = true;
      else if (line.startsWith('L ')) latencies.push(Number(line.slice(2)));
    }
  });
  return { child, isReady: () => ready };
}

/** @param {string} databaseUrl @param {number} workers */
async function run(databaseUrl, workers) {
  const schema = `bench_jobs_${workers}`;
  const orm = await createOrm({ databaseUrl, schema, entities: [], migrations: [], logger });
  const api = await createJobQueue({ databaseUrl, schema, mode: 'api', logger, registry: new Registry() });
  /** @type {number[]} */
  const latencies = [];
  const procs = Array.from({ length: workers }, () => startWorker(databaseUrl, schema, latencies));
  try {
    while (!procs.every((p) => p.isReady())) await sleep(100);
    const enqueue = () => api.enqueue(orm.em.fork(), noop, { sentAt: Date.now() });

    for (let i = 0; i < LATENCY_JOBS; i += 1) {
      await enqueue();
      await sleep(50);
    }
    while (latencies.length < LATENCY_JOBS) await sleep(50);
    const sorted = latencies.splice(0).sort((a, b) => a - b);

    const started = Date.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < BURST) {
          sent += 1;
          await enqueue();
        }
      }),
    );
    while (latencies.length < BURST) await sleep(20);
    const seconds = (Date.now() - started) / 1000;
    return {
      workers,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      jobsPerSecond: Math.round(BURST / seconds),
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await api.stop(1);
    await orm.close();
  }
}

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl)
  throw new Error('DATABASE_URL must point at a Postgres server (a fresh database is created on it)');
const database = `terrarium_bench_jobs_${Date.now()}_${randomBytes(3).toString('hex')}`;
await admin(serverUrl, `create database "${database}"`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;
try {
  const rows = [];
  for (const workers of [1, 2]) rows.push(await run(url.toString(), workers));
  console.log('\njob queue (pg-boss): enqueue -> handler start, and throughput');
  console.table(
    rows.map((r) => ({ workers: r.workers, 'p50 ms': r.p50, 'p99 ms': r.p99, 'jobs/s': r.jobsPerSecond })),
  );
} finally {
  await sleep(500);
  await admin(serverUrl, `drop database if exists "${database}" with (force)`);
}
