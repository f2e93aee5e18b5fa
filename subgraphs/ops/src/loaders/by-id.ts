import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import DataLoader from 'dataloader';

/**
 * A DataLoader of entities by uuid id: one `where id in (...)` per batch. Malformed ids resolve to
 * null without reaching SQL (one bad `_entities` representation must not fail the whole batch).
 */
export function createByIdLoader<T extends { id: string }>(em: EntityManager, entity: EntityName<T>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null, string>(
    async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length > 0 ? await em.find(entity, { id: { $in: valid } } as never) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      // Postgres prints uuids in lower case; a client may not.
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    },
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
}
