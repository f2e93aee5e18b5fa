import type { ConnectionType, EntityName, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid } from './seed-id.js';

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
 * Entities by uuid id: one `where id in (...)` per batch. `options` go to `em.find` as given;
 * `reads` (the operation's ReadRoute, for entities that tolerate lag) is read when a batch runs,
 * since the kit decides it after the loaders are made.
 */
export function createByIdLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  options?: FindOptions<T>,
  reads?: { readonly connectionType: ConnectionType },
): DataLoader<string, T | null> {
  // The cast: MikroORM cannot see that `id` of an arbitrary T is a filterable property.
  return createByKeyLoader(
    (ids) =>
      em.find(
        entity,
        { id: { $in: ids } } as never,
        reads ? { ...options, connectionType: reads.connectionType } : options,
      ),
    (row) => row.id,
  );
}
