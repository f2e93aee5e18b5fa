/**
 * Runs once per `npm test`: a fresh database of its own (created here, dropped at the end) on
 * DATABASE_URL's server, or on an embedded Postgres when DATABASE_URL is unset. Every test file
 * sees DATABASE_URL pointing at that database, plus an INTERNAL_SECRET for this run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
// @ts-expect-error plain JS helper shared with scripts/start.js
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  let serverUrl = process.env['DATABASE_URL'];
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!serverUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'terrarium-test-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir, persistent: false });
    serverUrl = embedded.url as string;
    stopEmbedded = embedded.stop;
  }
  const database = `terrarium_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, `create database "${database}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  process.env['TEST_SERVER_DATABASE_URL'] = serverUrl;
  process.env['DATABASE_URL'] = url.toString();
  process.env['INTERNAL_SECRET'] ??= randomBytes(32).toString('hex');
  process.env['LOG_LEVEL'] ??= 'error';

  return async () => {
    await admin(serverUrl!, `drop database if exists "${database}" with (force)`);
    await stopEmbedded?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
