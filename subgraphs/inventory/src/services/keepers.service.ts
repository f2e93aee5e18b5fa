import { ConflictError, NotFoundError } from '@terrarium/platform/errors';
import type { Connection } from '@terrarium/subgraph-kit/pagination';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal, type AnimalEntity } from '../entities/animal.entity.js';
import { pageAnimals } from './animal-query.service.js';

/**
 * Commerce delivered a bought animal: its buyer becomes its keeper. Only a SOLD animal changes
 * hands; assigning the same keeper again (a redelivered job) changes nothing and succeeds.
 */
export async function assignKeeper(
  em: EntityManager,
  animalIdArg: string,
  keeperIdArg: string,
): Promise<AnimalEntity> {
  const animalId = requireUuid(animalIdArg, 'animalId');
  const keeperId = requireUuid(keeperIdArg, 'keeperId');
  const animal = await em.findOne(Animal, { id: animalId });
  if (!animal) throw new NotFoundError('Animal');
  if (animal.keeperId === keeperId) return animal;
  if (animal.status !== 'SOLD')
    throw new ConflictError(`Animal ${animalId} is ${animal.status}: only a sold animal gets a keeper.`);
  animal.keeperId = keeperId;
  await em.flush();
  return animal;
}

/** The keeper's animals, newest first, paged like `animals`. */
export function keptAnimals(
  em: EntityManager,
  keeperId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<AnimalEntity>> {
  return pageAnimals(em, { keeperId }, first, after);
}
