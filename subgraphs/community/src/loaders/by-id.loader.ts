import DataLoader from 'dataloader';
import type { EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadOptions } from '@terrarium/subgraph-kit/sql';

/**
 * Entities by primary key, one `where id in (...)` per batch. Returns hidden rows too: callers
 * decide who may see them (staff in the moderation queue, nobody else). `reads`: the operation's
 * ReadRoute for entities that tolerate lag (reviews), read when the batch runs.
 */
export function createByIdLoader<T extends { id: string }>(
  em: EntityManager,
  entity: EntitySchema<T, never>,
  reads: ReadOptions = {},
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    // TypeScript cannot relate a generic entity's `id` to FilterQuery<T>; every T here has one.
    const rows = await em.find(entity, { id: { $in: [...ids] } } as unknown as FilterQuery<T>, {
      connectionType: reads.connectionType ?? 'write',
    });
    const found = new Map<string, T>(rows.map((row) => [row.id, row as T]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
