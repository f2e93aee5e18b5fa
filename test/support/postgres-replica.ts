/**
 * A Postgres primary and a streaming replica of it, made for one test and removed after it: initdb
 * on a free port, pg_basebackup -R from it, both started and stopped with Debian's pg_ctl. The
 * shared server on 5432 is never touched (its replication settings are not the test's to change).
 *
 * Postgres refuses to run as root: under root the binaries run as the `postgres` OS user, in a
 * temporary directory owned by it. Both clusters preload pg_stat_statements, whose counters are
 * updated when a statement ends (the cumulative statistics views may wait ~10 s to show it).
 */
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '@terrarium/platform/ports';

const execFile = promisify(execFileCallback);

export interface PostgresPair {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  primaryUrl: string;
  replicaUrl: string;
  /** Runs one statement on the primary or the replica and returns its rows. */
  sql<T extends object>(on: 'primary' | 'replica', text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** Debian's newest installed server binaries (POSTGRES_BIN overrides), e.g. /usr/lib/postgresql/15/bin. */
function binDir(): string {
  const given = process.env['POSTGRES_BIN'];
  if (given) return given;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no Postgres server binaries under /usr/lib/postgresql (set POSTGRES_BIN)');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** The uid and gid to run the server as: `postgres` under root, else the current user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgresPair(): Promise<PostgresPair> {
  const bin = binDir();
  const user = runAs();
  const base = mkdtempSync(join(tmpdir(), 'terrarium-pg-replica-'));
  if (user) chownSync(base, user.uid, user.gid);
  const primaryDir = join(base, 'primary');
  const replicaDir = join(base, 'replica');
  const run = (tool: string, args: string[]) =>
    execFile(join(bin, tool), args, { ...user, cwd: base, env: { PATH: process.env['PATH'], LC_ALL: 'C' } });

  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stopCluster = (dir: string) =>
    run('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  const stop = async () => {
    // The replica first: a primary stopped first would leave it retrying its connection.
    for (const dir of [...started].reverse()) await stopCluster(dir);
    rmSync(base, { recursive: true, force: true });
  };

  try {
    await run('initdb', [
      '-D',
      primaryDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1 (with --auth=trust).
    appendFileSync(
      join(primaryDir, 'postgresql.conf'),
      [
        `port = ${primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${base}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'fsync = off',
        `shared_preload_libraries = 'pg_stat_statements'`,
        'pg_stat_statements.track_utility = off',
        '',
      ].join('\n'),
    );
    await run('pg_ctl', ['-D', primaryDir, '-l', join(base, 'primary.log'), '-w', 'start']);
    started.push(primaryDir);

    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL the backup needs.
    await run('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    // The copied postgresql.conf names the primary's port; a later line wins.
    appendFileSync(join(replicaDir, 'postgresql.conf'), `port = ${replicaPort}\nhot_standby = on\n`);
    await run('pg_ctl', ['-D', replicaDir, '-l', join(base, 'replica.log'), '-w', 'start']);
    started.push(replicaDir);
  } catch (err) {
    await stop();
    throw err;
  }

  const urls = {
    primary: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replica: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
  };
  const sql = async <T extends object>(on: 'primary' | 'replica', text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: urls[on] });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  // The replica answers queries once it has reached a consistent state.
  for (const deadline = Date.now() + 15_000; ;) {
    const ready = await sql<{ r: boolean }>('replica', 'select pg_is_in_recovery() as r').catch(() => []);
    if (ready[0]?.r) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the replica did not come up');
    }
    await sleep(100);
  }
  return { primaryUrl: urls.primary, replicaUrl: urls.replica, sql, stop };
}
