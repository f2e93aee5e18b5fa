import { UniqueConstraintViolationException, type ConnectionType, type QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryPrepared } from './prepared.js';

/**
 * Raw SQL for the subgraphs, one API. Statements go through the EntityManager (never a bare knex),
 * so they join its transaction when it is a transactional fork and the kit counts them
 * (sqlStatementCount, metrics). Placeholders are `?`: never write the jsonb `?` operator here. An
 * array parameter expands to a comma-separated list (`in (?)`), so never pass an empty one; for
 * long lists prefer `= any(select jsonb_array_elements_text(?::jsonb)::uuid)` with `jsonList`.
 */

/** A bound parameter; MikroORM inlines it with Postgres literal escaping. */
export type SqlParam = string | number | boolean | Date | null | readonly (string | number)[];

/**
 * Where a read may go: pass the operation's ReadRoute (`ctx.reads`) for a read that tolerates
 * lag. @default the primary
 */
export interface ReadOptions {
  connectionType?: ConnectionType;
}

/**
 * The rows a statement returns. With `{ connectionType: 'read' }` a replica may answer it (the
 * driver picks a fresh one, or the primary); inside a transaction it runs in the transaction
 * whatever it asks. Outside one it runs as a named prepared statement (prepared.ts).
 */
export async function query<T extends object>(
  em: EntityManager,
  sql: string,
  params: readonly SqlParam[] = [],
  options: ReadOptions = {},
): Promise<T[]> {
  if (em.isInTransaction()) return em.execute<T[]>(sql, [...params], 'all');
  const connection = em.getConnection(options.connectionType === 'read' ? 'read' : 'write');
  const rows = await queryPrepared<T>(em, connection, sql, params);
  if (rows) return rows;
  if (options.connectionType === 'read') return connection.execute<T[]>(sql, [...params], 'all');
  return em.execute<T[]>(sql, [...params], 'all');
}

/** The first row a statement returns, if any. */
export async function queryOne<T extends object>(
  em: EntityManager,
  sql: string,
  params: readonly SqlParam[] = [],
  options: ReadOptions = {},
): Promise<T | undefined> {
  const rows = await query<T>(em, sql, params, options);
  return rows[0];
}

/** Runs a write and returns how many rows it touched (conditional transitions read this). */
export async function execute(
  em: EntityManager,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<number> {
  const result = await em.execute<QueryResult>(sql, [...params], 'run');
  return result.affectedRows;
}

/**
 * A list as a single parameter (a JSON array), for `= any(...)`: one statement and one bound
 * value whatever the list size, where `in (?, ?, ...)` would hit the parameter limit.
 */
export function jsonList(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** LIKE pattern metacharacters in user input match literally (escape character `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Postgres' unique_violation, as MikroORM wraps it. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException;
}
