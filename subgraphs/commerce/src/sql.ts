import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw SQL on `em` (inside its transaction when `em` is a transactional fork). Writes in commerce
 * are plain statements: they are conditional state transitions (`update ... where status = ...`)
 * whose row counts decide what happens next, which is clearer in SQL than through a unit of work.
 * Placeholders are `?`; an array binding expands to a list, so use `in (?)` with a non-empty array.
 */
export function query<T extends object>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return em.execute<T[]>(sql, [...params]);
}

export async function queryOne<T extends object>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
  const rows = await query<T>(em, sql, params);
  return rows[0];
}

/** Postgres' unique_violation, as MikroORM wraps it. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException;
}
