import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The table of handled job keys, in the subgraph's jobs schema. One row per effect that happened,
 * written in the same transaction as the effect.
 */
export function handledTableSql(schema: string): string {
  return `create table if not exists "${schema}".handled_job (
    key text primary key,
    handled_at timestamptz not null default now()
  )`;
}

/**
 * Runs `effect` once per `key`, whatever the number of attempts: the key is recorded in the same
 * transaction as the effect, so a job run again after a crash (its first run rolled back or never
 * committed) does the work, and a job run again after its effect committed finds the key and
 * does nothing. Two runs at once: the second waits on the key's unique index, then skips.
 * Resolves to the effect's result, or `undefined` when it had already happened.
 */
export async function handledOnce<T>(
  em: EntityManager,
  jobsSchema: string,
  key: string,
  effect: (tx: EntityManager) => Promise<T>,
): Promise<T | undefined> {
  return em.fork().transactional(async (tx) => {
    const claimed = await tx
      .getConnection()
      .execute(
        `insert into "${jobsSchema}".handled_job (key) values (?) on conflict do nothing returning key`,
        [key],
        'all',
        tx.getTransactionContext(),
      );
    if ((claimed as unknown[]).length === 0) return undefined;
    return effect(tx);
  });
}
