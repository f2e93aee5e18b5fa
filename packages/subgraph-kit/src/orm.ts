import { MikroORM, type EntitySchema, type MigrationObject } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { parse as parseConnectionString } from 'pg-connection-string';
import type { Logger } from 'pino';
import { installIdleAsyncStorage } from './idle-async-storage.js';
import { DEFAULT_REPLICA_MAX_LAG_MS } from './replicas/freshness.js';
import { ReplicaRoutingDriver, type ReplicaState } from './replicas/replica-driver.js';

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
  /**
   * Streaming replicas of `databaseUrl` for reads that ask for them (`connectionType: 'read'`).
   * @default [] (every statement on the primary, as without this option)
   */
  replicaUrls?: readonly string[];
  /** A replica is read only while its data is at most this old. @default 5_000 ms */
  replicaMaxLagMs?: number;
  /** Told when a replica starts or stops being used (metrics). */
  onReplicaChange?: (name: string, usable: boolean) => void;
}

/**
 * A replica that is down should cost a read about a second, not the pool's default minute: how
 * long a replica connection may take to open, and a read may wait for one. @default 2_000 ms
 */
const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

/**
 * The TLS settings a connection URL asks for (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`), read
 * by pg's own parser so the ORM's pool connects as pg (and the job queue) would. MikroORM keeps
 * only the host, port, user, password and database of `clientUrl`: without this,
 * `?sslmode=require` would connect in plain text without a word.
 */
export function tlsOf(url: string): { ssl?: ReturnType<typeof parseConnectionString>['ssl'] } {
  const { ssl } = parseConnectionString(url);
  return ssl === undefined ? {} : { ssl };
}

/**
 * A MikroORM bound to one Postgres schema. Unqualified names in raw SQL resolve to that schema
 * first (search_path), so migrations read as plain SQL; `public` stays on the path for extensions
 * such as pg_trgm.
 */
export async function createOrm(options: OrmOptions): Promise<Orm> {
  const { schema } = options;
  // MikroORM's flush and transaction storages go off between flushes and transactions.
  installIdleAsyncStorage();
  const searchPath = { options: `-c search_path=${schema},public` };
  const replicaUrls = options.replicaUrls ?? [];
  const orm = await MikroORM.init({
    // With replicas, reads go to one only when they ask (`connectionType: 'read'`: the lag-tolerant
    // ones, see replicas/read-your-writes.ts), and then only to a fresh one (ReplicaRoutingDriver).
    // MikroORM's default would send every select outside a transaction to a random replica: job
    // handlers, log-ins and checkouts included, however far behind it is.
    driver: replicaUrls.length > 0 ? ReplicaRoutingDriver : PostgreSqlDriver,
    preferReadReplicas: false,
    replicas: replicaUrls.map((clientUrl, i) => ({
      name: `replica-${i + 1}`,
      clientUrl,
      driverOptions: {
        acquireConnectionTimeout: REPLICA_CONNECT_TIMEOUT_MS,
        // A replica URL without sslmode inherits the primary's TLS settings (the same cluster).
        connection: {
          ...searchPath,
          ...tlsOf(clientUrl),
          connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS,
        },
      },
    })),
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
    driverOptions: { connection: { ...searchPath, ...tlsOf(options.databaseUrl) } },
    onQuery: (sql: string) => {
      options.onQuery?.(sql);
      return sql;
    },
    debug: false,
    logger: (message: string) => options.logger.debug({ orm: message }),
  });
  const driver = orm.em.getDriver();
  if (driver instanceof ReplicaRoutingDriver) {
    driver.monitorReplicas({
      maxLagMs: options.replicaMaxLagMs ?? DEFAULT_REPLICA_MAX_LAG_MS,
      logger: options.logger.child({ component: 'replicas' }),
      ...(options.onReplicaChange ? { onChange: options.onReplicaChange } : {}),
    });
  }
  return orm;
}

/** Each configured replica's state (empty without replicas): usable now, and its lag bound. */
export function replicaStates(orm: Orm): ReplicaState[] {
  const driver = orm.em.getDriver();
  return driver instanceof ReplicaRoutingDriver ? driver.replicaStates() : [];
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
