import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw statements go through the EntityManager (never a bare knex), so they join its transaction
 * and are counted by the kit's SQL statement counter. Placeholders are `?`; an array parameter
 * expands to a comma-separated list (`in (?)`), so callers never pass an empty one.
 */
export async function run(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const result = await em.execute<QueryResult>(sql, params, 'run');
  return result.affectedRows;
}

export function rows<T extends object>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.execute<T[]>(sql, params, 'all');
}
