import type { EntityManager } from '@mikro-orm/postgresql';

/** A bound parameter; MikroORM inlines it with Postgres literal escaping. */
export type SqlParam = string | number | null;

/**
 * Runs one SQL statement through the ORM's connection, so that the kit counts it
 * (sqlStatementCount, metrics) and it joins the EntityManager's transaction when there is one.
 * Placeholders are `?`; never write the jsonb `?` operator in SQL sent through here.
 */
export async function query<T>(em: EntityManager, sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, [...params], 'all', em.getTransactionContext());
}

/**
 * A list as a single parameter (a JSON array), for `= any(...)`: one statement and one bound
 * value whatever the list size, where `in (?, ?, ...)` would hit the parameter limit.
 */
export function jsonList(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** Product columns as ProductRecord fields; `p` is the product table's alias. */
export const PRODUCT_COLUMNS = `
  p.id, p.sku, p.slug, p.name, p.description,
  p.price_amount as "priceAmount", p.price_currency as "priceCurrency",
  p.category_id as "categoryId", p.created_by_id as "createdById",
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;

/** Category columns as CategoryRecord fields; `c` is the category table's alias. */
export const CATEGORY_COLUMNS = `c.id, c.name, c.slug, c.parent_id as "parentId"`;

/** LIKE pattern metacharacters in user input match literally (escape character `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
