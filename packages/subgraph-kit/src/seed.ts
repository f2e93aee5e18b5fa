import type { EntityManager as PgEntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Orm } from './orm.js';

/**
 * Loads the demo data in one transaction under an advisory lock on the subgraph's schema, so that
 * instances starting together (npm start, tests starting a sibling twice) seed it once; the seed
 * itself must be idempotent, as it runs on every start.
 */
export async function seedDemoData(
  orm: Orm,
  databaseSchema: string,
  seed: (em: PgEntityManager) => Promise<void>,
  logger: Logger,
): Promise<void> {
  const em = orm.em.fork() as PgEntityManager;
  await em.transactional(async (tx) => {
    await tx
      .getConnection()
      .execute(
        `select pg_advisory_xact_lock(hashtext('terrarium-seed:${databaseSchema}'))`,
        [],
        'all',
        tx.getTransactionContext(),
      );
    await seed(tx);
  });
  logger.info('demo data loaded');
}
