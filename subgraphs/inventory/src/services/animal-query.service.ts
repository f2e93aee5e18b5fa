import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { escapeLike, type ReadOptions } from '@terrarium/subgraph-kit/sql';
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal, type AnimalEntity, type AnimalStatus, type Sex } from '../entities/animal.entity.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

const CURSOR_TAG = 'Animal';

export interface AnimalFilterInput {
  speciesId?: string | null;
  status?: AnimalStatus | null;
  organizationId?: string | null;
  sex?: Sex | null;
  morph?: string | null;
}

function toWhere(filter: AnimalFilterInput | null | undefined): FilterQuery<AnimalEntity> {
  const where: FilterQuery<AnimalEntity> & Record<string, unknown> = {};
  if (!filter) return where;
  if (filter.speciesId != null) where.speciesId = requireUuid(filter.speciesId, 'speciesId');
  if (filter.organizationId != null)
    where.organizationId = requireUuid(filter.organizationId, 'organizationId');
  if (filter.status != null) where.status = filter.status;
  if (filter.sex != null) where.sex = filter.sex;
  const morph = filter.morph?.trim();
  if (morph) where.morph = { $ilike: `%${escapeLike(morph)}%` };
  return where;
}

export const animalCursor = (animal: AnimalEntity): string =>
  encodeKeyset(CURSOR_TAG, animal.createdAt, animal.id);

/** Animals matching `filter`, newest first (see pageAnimals). */
export function listAnimals(
  em: EntityManager,
  filter: AnimalFilterInput | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  reads: ReadOptions = {},
): Promise<Connection<AnimalEntity>> {
  return pageAnimals(em, toWhere(filter), first, after, reads);
}

/**
 * Animals matching `where`, newest first, keyset-paginated on (createdAt, id): a page costs the
 * same however deep it is. Two statements: the page (one row more than asked, to know whether
 * another page follows) and the filtered total. `reads`: the operation's ReadRoute when the list
 * tolerates lag (the public animals list; not a keeper's own). @default the primary
 */
export async function pageAnimals(
  em: EntityManager,
  where: FilterQuery<AnimalEntity>,
  first: number | null | undefined,
  after: string | null | undefined,
  reads: ReadOptions = {},
): Promise<Connection<AnimalEntity>> {
  const size = pageSize(first, 20);
  const connectionType = reads.connectionType ?? 'write';
  // The keyset position named by `after`: (createdAt, id) of the last animal seen.
  const position = decodeKeyset(CURSOR_TAG, after, 'date');
  const page: FilterQuery<AnimalEntity> = position
    ? { $and: [where, olderThan('createdAt', position)] }
    : where;
  const [found, total] = await Promise.all([
    em.find(Animal, page, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1, connectionType }),
    em.count(Animal, where, { connectionType }),
  ]);
  return toConnection(found, size, total, animalCursor);
}
