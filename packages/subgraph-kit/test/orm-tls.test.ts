/**
 * The ORM connects with the TLS settings of DATABASE_URL. This machine's Postgres has TLS off, so
 * `sslmode=require` must fail to connect (as pg and the job queue do) rather than fall back to
 * plain text, which is what MikroORM alone does with a clientUrl's query parameters.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrm, tlsOf, type Orm } from '../src/orm.js';

const databaseUrl = process.env['DATABASE_URL']!;
const logger = pino({ level: 'silent' });
const opened: Orm[] = [];

function withSslMode(mode: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('sslmode', mode);
  return url.toString();
}

async function selectOne(url: string): Promise<unknown> {
  const orm = await createOrm({ databaseUrl: url, schema: 'public', entities: [], migrations: [], logger });
  opened.push(orm);
  return orm.em.fork().getConnection().execute('select 1 as one', [], 'get');
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((orm) => orm.close(true)));
});

describe('the ORM and sslmode', () => {
  it('refuses to connect in plain text when the URL requires TLS', async () => {
    await expect(selectOne(withSslMode('require'))).rejects.toThrow(/does not support SSL/);
  });

  it('connects as before without TLS, or with sslmode=disable', async () => {
    expect(await selectOne(databaseUrl)).toEqual({ one: 1 });
    expect(await selectOne(withSslMode('disable'))).toEqual({ one: 1 });
  });

  it("reads the TLS settings with pg's own parser", () => {
    expect(tlsOf('postgres://u@db.example/app')).toEqual({});
    expect(tlsOf('postgres://u@db.example/app?sslmode=disable')).toEqual({ ssl: false });
    // TLS on, the server's certificate verified against the system's CAs (pg's default).
    expect(tlsOf('postgres://u@db.example/app?sslmode=verify-full')).toEqual({ ssl: {} });
  });
});
