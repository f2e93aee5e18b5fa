import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createManyByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import { CareSchedule, type CareScheduleEntity } from '../entities/care-schedule.entity.js';

/** Each animal's care schedules, by kind: one statement per batch. */
export function createCareScheduleLoader(em: EntityManager): DataLoader<string, CareScheduleEntity[]> {
  return createManyByKeyLoader(
    (animalIds) => em.find(CareSchedule, { animalId: { $in: animalIds } }, { orderBy: { kind: 'asc' } }),
    (schedule) => schedule.animalId,
  );
}
