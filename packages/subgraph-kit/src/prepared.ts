import { createHash } from 'node:crypto';
import type { Connection } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlParam } from './sql.js';

/**
 * Reads as named prepared statements on the ORM's own pool, for `query()` outside a transaction.
 * MikroORM's `em.execute` inlines every parameter into the text, goes through knex's raw builder
 * and its query log, and Postgres parses and plans the text again each time: about 0.22 ms of a
 * subgraph's CPU per statement against 0.08 ms here (`node --cpu-prof` and process.cpuUsage on
 * products' ProductPage fetch), and the planning on Postgres' side goes too.
 *
 * Meaning is MikroORM's: `?` is a value, an array expands to a comma-separated list, and each value
 * keeps the type its inlined literal had (an integer is int4 or int8, a fraction numeric, a boolean
 * boolean; strings, dates and null stay untyped, as a quoted literal is), so `select ? as n` still
 * answers a number. A statement this cannot express the same way (`??`, `\?`, a nested array, a
 * non-finite number) or that Postgres refuses to prepare (a parameter it cannot type alone, say
 * `? is null`; see refusedToPrepare) goes through `em.execute` as before; refused texts are
 * remembered.
 */

/**
 * Distinct statement texts prepared per process; later ones run unnamed (still bound, planned each
 * time). Each pooled connection keeps a plan per text it ran in the server's memory, and an
 * `in (?)` list makes a text per list length, hence a bound. @default 500
 */
const MAX_PREPARED_TEXTS = 500;

interface PreparedText {
  name: string;
  text: string;
  values: unknown[];
}

/** Statement names by text (a hash of it: the same name on every pooled connection). */
const names = new Map<string, string>();
/** Texts Postgres refused to prepare: they take MikroORM's path from then on. */
const refused = new Set<string>();

const INT4_MAX = 2_147_483_647;

function placeholder(value: SqlParam, values: unknown[]): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    values.push(value);
    if (!Number.isInteger(value)) return `$${values.length}::numeric`;
    return Math.abs(value) <= INT4_MAX ? `$${values.length}::int4` : `$${values.length}::int8`;
  }
  if (typeof value === 'boolean') {
    values.push(value);
    return `$${values.length}::boolean`;
  }
  values.push(value);
  return `$${values.length}`;
}

/** The statement with `$n` placeholders, or null when it must keep MikroORM's inlining. */
export function toPrepared(sql: string, params: readonly SqlParam[]): PreparedText | null {
  if (sql.includes('??') || sql.includes('\\?') || refused.has(sql)) return null;
  const values: unknown[] = [];
  let text = '';
  let from = 0;
  let next = 0;
  for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', at + 1)) {
    if (next >= params.length) return null;
    const param = params[next++] as SqlParam;
    let slot: string | null;
    if (Array.isArray(param)) {
      const parts = (param as readonly SqlParam[]).map((item) =>
        Array.isArray(item) ? null : placeholder(item, values),
      );
      slot = parts.length === 0 || parts.includes(null) ? null : parts.join(', ');
    } else slot = placeholder(param, values);
    if (slot === null) return null;
    text += sql.slice(from, at) + slot;
    from = at + 1;
  }
  if (next !== params.length) return null;
  text += sql.slice(from);
  let name = names.get(text);
  if (!name && names.size < MAX_PREPARED_TEXTS) {
    name = `tr_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return { name: name ?? '', text, values };
}

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<unknown>;
}

/**
 * Postgres refused the statement before running it, so nothing was executed: class 42 (syntax,
 * types, names), or 0A000 "cached plan must not change result type", which a `select *` prepared
 * before a migration added a column gets on every pooled connection that prepared it.
 */
function refusedToPrepare(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('42') || code === '0A000');
}

/**
 * Runs `sql` as a prepared statement on a connection of `connection`'s pool; undefined when the
 * statement has to take MikroORM's path instead (see above). Counted by the ORM's onQuery hook,
 * errors converted as MikroORM converts them (UniqueConstraintViolationException...).
 */
export async function queryPrepared<T>(
  em: EntityManager,
  connection: Connection,
  sql: string,
  params: readonly SqlParam[],
): Promise<T[] | undefined> {
  const prepared = toPrepared(sql, params);
  if (!prepared) return undefined;
  await connection.ensureConnection();
  const client = (connection as unknown as { getKnex(): { client: KnexClient } }).getKnex().client;
  const pg = await client.acquireConnection();
  try {
    const result = await pg.query(
      prepared.name
        ? { name: prepared.name, text: prepared.text, values: prepared.values }
        : { text: prepared.text, values: prepared.values },
    );
    em.config.get('onQuery')(sql, [...params]);
    return result.rows as T[];
  } catch (err) {
    if (refusedToPrepare(err)) {
      refused.add(sql);
      return undefined;
    }
    em.config.get('onQuery')(sql, [...params]);
    throw em.getDriver().convertException(err as Error);
  } finally {
    await client.releaseConnection(pg);
  }
}
