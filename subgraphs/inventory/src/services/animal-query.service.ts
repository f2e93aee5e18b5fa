import { BadUserInputError } from '@terrarium/platform/errors';
import { decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal, type AnimalEntity, type AnimalStatus, type Sex } from '../entities/animal.entity.js';
import { requireUuid } from './errors.js';

const CURSOR_TAG = 'Animal';

export interface AnimalFilterInput {
  speciesId?: string | null;
  status?: AnimalStatus | null;
  organizationId?: string | null;
  sex?: Sex | null;
  morph?: string | null;
}

/** `%`, `_` and `\` match literally in a morph search. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toWhere(filter: AnimalFilterInput | null | undefined): FilterQuery<AnimalEntity> {
  const where: FilterQuery<AnimalEntity> & Record<string, unknown> = {};
  if (!filter) return where;
  if (filter.speciesId != null) where.speciesId = requireUuid(filter.speciesId, 'speciesId');
  if (filter.organizationId != null) where.organizationId = requireUuid(filter.organizationId, 'organizationId');
  if (filter.status != null) where.status = filter.status;
  if (filter.sex != null) where.sex = filter.sex;
  const morph = filter.morph?.trim();
  if (morph) where.morph = { $ilike: `%${escapeLike(morph)}%` };
  return where;
}

export const animalCursor = (animal: AnimalEntity): string => encodeCursor(CURSOR_TAG, [animal.createdAt.toISOString(), animal.id]);

/** The keyset position a cursor names: (createdAt, id) of the last animal seen. */
function afterPosition(after: string | null | undefined): { createdAt: Date; id: string } | null {
  const keys = decodeCursor(CURSOR_TAG, after);
  if (!keys) return null;
  const [createdAt, id] = keys;
  const date = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  if (keys.length !== 2 || !date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError(`Unknown cursor "${after}".`, 'after');
  }
  return { createdAt: date, id };
}

/**
 * Animals, newest first, keyset-paginated on (createdAt, id): a page costs the same however deep
 * it is. Two statements: the page (one row more than asked, to know whether another page
 * follows) and the filtered total.
 */
export async function listAnimals(
  em: EntityManager,
  filter: AnimalFilterInput | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<AnimalEntity>> {
  const size = pageSize(first, 20);
  const where = toWhere(filter);
  const position = afterPosition(after);
  const page: FilterQuery<AnimalEntity> = position
    ? { $and: [where, { $or: [{ createdAt: { $lt: position.createdAt } }, { createdAt: position.createdAt, id: { $lt: position.id } }] }] }
    : where;
  const [found, total] = await Promise.all([
    em.find(Animal, page, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 }),
    em.count(Animal, where),
  ]);
  return toConnection(found, size, total, animalCursor);
}
