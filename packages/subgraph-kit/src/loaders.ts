import {
  ReferenceKind,
  Utils,
  type ConnectionType,
  type EntityData,
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
 * The select `createByIdLoader` runs for an entity whose every property is a plain column (no
 * relation, embeddable, formula or lazy column) and that has no filters, inheritance or expression,
 * by its metadata; null otherwise (em.find, then).
 */
const selects = new WeakMap<object, string | null>();
function selectById<T extends object>(em: EntityManager, entity: EntityName<T>): string | null {
  const meta = em.getMetadata().get(Utils.className(entity));
  let select = selects.get(meta);
  if (select !== undefined) return select;
  const props = meta.props.filter((prop) => prop.persist !== false);
  const plain =
    !meta.virtual &&
    !meta.expression &&
    !meta.discriminatorColumn &&
    Object.keys(meta.filters).length === 0 &&
    meta.primaryKeys.length === 1 &&
    meta.primaryKeys[0] === 'id' &&
    props.every(
      (prop) =>
        prop.kind === ReferenceKind.SCALAR && !prop.lazy && !prop.formula && prop.fieldNames.length === 1,
    );
  select = plain
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
  // The cast: MikroORM cannot see that `id` of an arbitrary T is a filterable property.
  return createByKeyLoader<T>(
    async (ids): Promise<readonly T[]> => {
      const select = plain ? selectById(em, entity) : null;
      if (select === null)
        return em.find(
          entity,
          { id: { $in: ids } } as never,
          reads ? { ...options, connectionType: reads.connectionType } : options,
        );
      const rows = await query<EntityData<T>>(
        em,
        select,
        [jsonList(ids)],
        reads ? { connectionType: reads.connectionType } : {},
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
