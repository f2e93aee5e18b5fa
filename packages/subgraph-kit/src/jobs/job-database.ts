import { createRequire } from 'node:module';
import pg from 'pg';
import type { Logger } from 'pino';

/** The SQL pg-boss writes to record a job's outcome (pg-boss/src/plans.js, not in its typings). */
interface OutcomePlans {
  completeJobs(schema: string): string;
  failJobsById(schema: string): string;
}
const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as OutcomePlans;

/** What pg-boss asks of a database it is given (its `db` option). */
export interface JobDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  close(): Promise<void>;
}

export interface JobDatabaseOptions {
  databaseUrl: string;
  /** pg-boss's schema, as pg-boss was given it. */
  schema: string;
  max: number;
  applicationName: string;
  logger: Logger;
}

/**
 * pg-boss's connection pool, ours instead of the one pg-boss opens, for one reason. pg-boss
 * 10.4.2 (the last release that runs on Node 20; 11 needs Node 22) records the outcome of a
 * worker's jobs without awaiting it: manager.js `watch` calls `this.complete(...)` after the
 * handler and `this.fail(...)` when it throws, and drops both promises. When Postgres refuses that
 * statement (too many clients, a restart, a connection cut) the rejection is unhandled and Node
 * ends the process, with every request it was serving. So those two statements never reject
 * here: the failure is logged, the job stays active until it expires, and maintenance hands it
 * back for another run (a job's effects stay single through `run.once`). Every other statement
 * rejects as it always did.
 */
export function createJobDatabase(options: JobDatabaseOptions): JobDatabase {
  const { schema, logger } = options;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.max,
    application_name: options.applicationName,
  });
  // A pooled connection that dies while idle (Postgres restarted) is reported here and replaced.
  pool.on('error', (err) => logger.warn({ err }, 'job queue connection lost; the pool opens another'));
  const outcomeStatements = new Set([plans.completeJobs(schema), plans.failJobsById(schema)]);

  return {
    async executeSql(text, values) {
      if (!outcomeStatements.has(text)) return pool.query(text, values);
      try {
        return await pool.query(text, values);
      } catch (err) {
        logger.warn(
          { err, queue: values?.[0], jobIds: values?.[1] },
          "could not record the job's outcome; it runs again once it expires",
        );
        // What pg-boss reads of the answer: how many jobs the statement updated.
        return { rows: [{ count: '0' }], rowCount: 0 };
      }
    },
    // A queue may be stopped twice (a test's own stop, then its cleanup's).
    close: async () => {
      if (!pool.ending) await pool.end();
    },
  };
}
