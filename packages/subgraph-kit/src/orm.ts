import { MikroORM, type EntitySchema, type MigrationObject } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';

export type Orm = MikroORM<PostgreSqlDriver>;

export interface OrmOptions {
  databaseUrl: string;
  /** The subgraph's own Postgres schema: its tables, and its migrations table, live only here. */
  schema: string;
  // Entities of any shape: each subgraph's defineEntity types are its own.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  migrations: MigrationObject[];
  logger: Logger;
  /** Called for every SQL statement; the kit counts them (metrics, N+1 tests). */
  onQuery?: (sql: string) => void;
  /** @default 10 */
  poolSize?: number;
}

/**
 * A MikroORM bound to one Postgres schema. Unqualified names in raw SQL resolve to that schema
 * first (search_path), so migrations read as plain SQL; `public` stays on the path for extensions
 * such as pg_trgm.
 */
export async function createOrm(options: OrmOptions): Promise<Orm> {
  const { schema } = options;
  return MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: options.databaseUrl,
    schema,
    entities: options.entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    // The global EntityManager is never used: every operation works on its own fork.
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: options.poolSize ?? 10 },
    driverOptions: { connection: { options: `-c search_path=${schema},public` } },
    onQuery: (sql: string) => {
      options.onQuery?.(sql);
      return sql;
    },
    debug: false,
    logger: (message: string) => options.logger.debug({ orm: message }),
  });
}

/**
 * Creates the schema and applies pending migrations. Concurrent instances of one subgraph start
 * at once, so the migration runs under a transaction-level advisory lock keyed by the schema.
 */
export async function migrate(orm: Orm, schema: string): Promise<void> {
  const knex = orm.em.getConnection().getKnex();
  const lock = (trx: { raw: typeof knex.raw }) =>
    trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`terrarium-migrate:${schema}`]);
  // The schema is created (and committed) under the lock first: two instances creating a new
  // schema at once would otherwise collide on pg_namespace.
  await knex.transaction(async (trx) => {
    await lock(trx);
    await trx.raw(`create schema if not exists "${schema}"`);
  });
  // The migrator works on its own connection; holding the lock meanwhile makes a second instance
  // wait, then find every migration already applied.
  await knex.transaction(async (trx) => {
    await lock(trx);
    await orm.getMigrator().up();
  });
}
