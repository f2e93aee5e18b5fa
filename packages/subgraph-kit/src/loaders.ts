import {
  ReferenceKind,
  Utils,
  type ConnectionType,
  type EntityData,
  type EntityMetadata,
  type EntityName,
  type FindOptions,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid } from './seed-id.js';
import { jsonList, query } from './sql.js';

/**
 * DataLoader building blocks, written once for every subgraph: a batch function must answer one
 * slot per key, in the keys' order, and uuid keys must agree with Postgres, which prints them in
 * lower case and compares them case-insensitively.
 */

/** How a loader compares keys: `uuid` lower-cases them and drops malformed ones before SQL. */
export type KeyKind = 'uuid' | 'text';

const identity = (key: string): string => key;
const lowerCase = (key: string): string => key.toLowerCase();

/** One row (or null) per key, in the keys' order. `normalize` maps both sides to one spelling. */
export function oneByKey<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
  normalize: (key: K) => K = (k) => k,
): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(normalize(keyOf(row)), row);
  return keys.map((key) => map.get(normalize(key)) ?? null);
}

/** Every row per key (an empty list when none), in the keys' order and the rows' order. */
export function manyByKey<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
  normalize: (key: K) => K = (k) => k,
): V[][] {
  const map = new Map<K, V[]>();
  for (const row of rows) {
    const key = normalize(keyOf(row));
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return keys.map((key) => map.get(normalize(key)) ?? []);
}

/**
 * Keys that may reach SQL. A uuid key that is malformed, or any key with NUL (Postgres text cannot
 * hold it), names nothing: it resolves to null/empty instead of failing the batch (one bad
 * `_entities` representation must not fail the others).
 */
function usableKeys(keys: readonly string[], kind: KeyKind): string[] {
  const usable = keys.filter((key) => !key.includes('\u0000') && (kind !== 'uuid' || isUuid(key)));
  return [...new Set(usable.map(kind === 'uuid' ? lowerCase : identity))];
}

/**
 * A loader of at most one row per key: `fetch` gets the distinct usable keys (never an empty list)
 * and runs one statement for the batch. @default kind 'uuid'
 */
export function createByKeyLoader<V>(
  fetch: (keys: string[]) => Promise<readonly V[]>,
  keyOf: (row: V) => string,
  kind: KeyKind = 'uuid',
): DataLoader<string, V | null> {
  const normalize = kind === 'uuid' ? lowerCase : identity;
  return new DataLoader<string, V | null, string>(
    async (requested) => {
      const keys = usableKeys(requested, kind);
      const rows = keys.length > 0 ? await fetch(keys) : [];
      return oneByKey(requested, rows, keyOf, normalize);
    },
    { cacheKeyFn: normalize },
  );
}

/** A loader of a list of rows per key (children of a parent...): one statement per batch. */
export function createManyByKeyLoader<V>(
  fetch: (keys: string[]) => Promise<readonly V[]>,
  keyOf: (row: V) => string,
  kind: KeyKind = 'uuid',
): DataLoader<string, V[]> {
  const normalize = kind === 'uuid' ? lowerCase : identity;
  return new DataLoader<string, V[], string>(
    async (requested) => {
      const keys = usableKeys(requested, kind);
      const rows = keys.length > 0 ? await fetch(keys) : [];
      return manyByKey(requested, rows, keyOf, normalize);
    },
    { cacheKeyFn: normalize },
  );
}

/**
 * Whether every property of the entity is a plain column (no relation, embeddable, formula or lazy
 * column) and it has no filters, inheritance or expression, by its metadata: its rows can be read
 * with a plain select and mapped without the ORM's query builder.
 */
function isPlainColumns(meta: EntityMetadata): boolean {
  return (
    !meta.virtual &&
    !meta.expression &&
    !meta.discriminatorColumn &&
    Object.keys(meta.filters).length === 0 &&
    meta.primaryKeys.length === 1 &&
    meta.primaryKeys[0] === 'id' &&
    meta.props
      .filter((prop) => prop.persist !== false)
      .every(
        (prop) =>
          prop.kind === ReferenceKind.SCALAR && !prop.lazy && !prop.formula && prop.fieldNames.length === 1,
      )
  );
}

/** The select `createByIdLoader` runs for an entity of plain columns; null otherwise (em.find, then). */
const selects = new WeakMap<object, string | null>();
function selectById<T extends object>(em: EntityManager, entity: EntityName<T>): string | null {
  const meta = em.getMetadata().get(Utils.className(entity));
  let select = selects.get(meta);
  if (select !== undefined) return select;
  const props = meta.props.filter((prop) => prop.persist !== false);
  select = isPlainColumns(meta)
    ? `select ${props.map((prop) => `"${prop.fieldNames[0]}"`).join(', ')} from "${meta.tableName}"
        where id = any(select jsonb_array_elements_text(?::jsonb)::uuid)`
    : null;
  selects.set(meta, select);
  return select;
}

/**
 * Entities by uuid id: one statement per batch. `options` go to `em.find` as given;
 * `reads` (the operation's ReadRoute, for entities that tolerate lag) is read when a batch runs,
 * since the kit decides it after the loaders are made. Without options, an entity of plain columns
 * is read with one prepared select and merged into the EntityManager (an entity it already holds
 * comes back as it is, as with em.find): em.find built the same statement through its query
 * builder at about 0.55 ms of CPU a batch against 0.18 ms (ops' users by id).
 */
export function createByIdLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  options?: FindOptions<T>,
  reads?: { readonly connectionType: ConnectionType },
): DataLoader<string, T | null> {
  const plain = options === undefined || Object.keys(options).length === 0;
  return createByKeyLoader<T>(
    async (ids) => {
      const rows = plain ? await selectRowsById(em, entity, ids, reads) : null;
      // The cast: MikroORM cannot see that `id` of an arbitrary T is a filterable property.
      if (rows === null)
        return em.find(
          entity,
          { id: { $in: ids } } as never,
          reads ? { ...options, connectionType: reads.connectionType } : options,
        );
      const meta = em.getMetadata().get(Utils.className(entity));
      const driver = em.getDriver();
      const factory = em.getEntityFactory();
      // What em.find does with each row it read.
      return rows.map(
        (row) =>
          factory.create(entity, driver.mapResult(row, meta) as EntityData<T>, {
            merge: true,
            convertCustomTypes: true,
          }) as T,
      );
    },
    (row) => row.id,
  );
}

/**
 * createByIdLoader for paths that only read what they load (a reference the gateway resolves, an
 * author shown beside a review): each row is the entity's data under its property names, not a
 * managed entity, so nothing is hydrated, registered in the identity map or ever flushed. That
 * work was 7.6% of ops' CPU serving ProductPage's review authors (a CPU profile under load).
 * An entity that is not plain columns is read with em.find, managed, as createByIdLoader does.
 */
export function createReadOnlyByIdLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  reads?: { readonly connectionType: ConnectionType },
): DataLoader<string, T | null> {
  return createByKeyLoader<T>(
    async (ids) => {
      const rows = await selectRowsById(em, entity, ids, reads);
      if (rows === null)
        return em.find(
          entity,
          { id: { $in: ids } } as never,
          reads ? { connectionType: reads.connectionType } : {},
        );
      return rows.map(plainRowMapper(em, entity));
    },
    (row) => row.id,
  );
}

/** The rows with these ids as the database answers them, or null for an entity that is not plain columns. */
async function selectRowsById<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  ids: readonly string[],
  reads?: { readonly connectionType: ConnectionType },
): Promise<Record<string, unknown>[] | null> {
  const select = selectById(em, entity);
  if (select === null) return null;
  return query<Record<string, unknown>>(
    em,
    select,
    [jsonList(ids)],
    reads ? { connectionType: reads.connectionType } : {},
  );
}

/**
 * Maps a row of an entity's table (its columns, as the database answers them) to the entity's data
 * under its property names, by the ORM's own column-to-property mapping: plain objects, not managed
 * entities. Only for read-only paths, and for entities of plain columns, whose values the driver
 * already answers as the entity holds them (text, numbers, uuid, timestamptz as Date, arrays).
 */
export function plainRowMapper<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
): (row: Record<string, unknown>) => T {
  const meta = em.getMetadata().get(Utils.className(entity));
  // selectById remembers, per entity, whether it is plain columns.
  if (selectById(em, entity) === null)
    throw new Error(`${meta.className} is not plain columns: read it as entities`);
  const driver = em.getDriver();
  return (row) => driver.mapResult(row as EntityData<T>, meta) as T;
}
