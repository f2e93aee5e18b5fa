import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';

/**
 * pg-boss's `db` option for `send`: runs pg-boss's SQL on the EntityManager's connection, inside
 * its transaction when it has one. That is the outbox: the job row commits or rolls back with the
 * write that caused it, and no second store (or two-phase anything) is needed.
 *
 * pg-boss writes numbered placeholders ($1, $5 twice); MikroORM's raw execute (knex) takes `?`
 * bound in order, so each `$n` becomes `?` with its value repeated where it is repeated.
 */
export function transactionExecutor(em: EntityManager): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const bindings: unknown[] = [];
      const sql = text.replace(/\$(\d+)/g, (_match, index: string) => {
        bindings.push(values[Number(index) - 1] ?? null);
        return '?';
      });
      const rows = await em.getConnection().execute(sql, bindings, 'all', em.getTransactionContext());
      return { rows: rows as unknown[] };
    },
  };
}
