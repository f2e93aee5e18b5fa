import type { Caller } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError, NotFoundError } from '@terrarium/platform/errors';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal, type AnimalEntity, type AnimalStatus, type Sex } from '../entities/animal.entity.js';
import { Species } from '../entities/species.entity.js';
import { requireBreederOf } from './access.js';
import {
  cleanGenes,
  cleanHatchDate,
  cleanMorph,
  cleanName,
  cleanStatus,
  cleanWeight,
  notNull,
} from './animal-input.js';
import { checkParents, checkSexChange } from './animal-parents.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { enqueueAudit, type JobQueue } from '@terrarium/subgraph-kit/jobs';

export interface CreateAnimalFields {
  organizationId: string;
  speciesId: string;
  name: string;
  sex?: Sex | null;
  hatchDate?: string | null;
  morph?: string | null;
  genes?: string[] | null;
  weightGrams?: number | null;
  sireId?: string | null;
  damId?: string | null;
  status?: AnimalStatus | null;
}

/** undefined: leave as is; null: clear (or BAD_USER_INPUT for a required field). */
export interface UpdateAnimalFields {
  name?: string | null;
  sex?: Sex | null;
  hatchDate?: string | null;
  morph?: string | null;
  genes?: string[] | null;
  weightGrams?: number | null;
  sireId?: string | null;
  damId?: string | null;
  status?: AnimalStatus | null;
}

const optionalUuid = (value: string | null | undefined, field: string): string | null | undefined =>
  value == null ? value : requireUuid(value, field);

/** Breeder members of `organizationId` (or staff) register an animal. */
export async function createAnimal(
  em: EntityManager,
  jobs: JobQueue,
  caller: Caller,
  input: CreateAnimalFields,
): Promise<AnimalEntity> {
  const organizationId = requireUuid(input.organizationId, 'organizationId');
  requireBreederOf(caller, organizationId);
  const speciesId = requireUuid(input.speciesId, 'speciesId');
  const sireId = optionalUuid(input.sireId, 'sireId') ?? null;
  const damId = optionalUuid(input.damId, 'damId') ?? null;
  const fields = {
    organizationId,
    speciesId,
    name: cleanName(input.name),
    sex: input.sex ?? 'UNKNOWN',
    hatchDate: cleanHatchDate(input.hatchDate),
    morph: cleanMorph(input.morph),
    genes: cleanGenes(input.genes),
    weightGrams: cleanWeight(input.weightGrams),
    status: cleanStatus(input.status ?? 'AVAILABLE'),
    sireId,
    damId,
  };
  return em.transactional(async (tx) => {
    if (!(await tx.findOne(Species, { id: speciesId })))
      throw new BadUserInputError(`No species with id ${speciesId}.`, 'speciesId');
    await checkParents(tx, { animalId: null, speciesId, sireId, damId });
    const animal = tx.create(Animal, fields);
    await tx.flush();
    await enqueueAudit(jobs, tx, {
      actor: caller.userId,
      action: 'createAnimal',
      subject: `Animal:${animal.id}`,
      diff: { ...fields },
    });
    return animal;
  });
}

/**
 * Breeder members of the animal's organization (or staff) edit it. The row is locked for the
 * transaction, so a status change cannot interleave with checkout reserving the animal.
 */
export async function updateAnimal(
  em: EntityManager,
  jobs: JobQueue,
  caller: Caller,
  idArg: string,
  input: UpdateAnimalFields,
): Promise<AnimalEntity> {
  const id = requireUuid(idArg, 'id');
  return em.transactional(async (tx) => {
    const animal = await tx.findOne(Animal, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!animal) throw new NotFoundError('Animal');
    requireBreederOf(caller, animal.organizationId);

    const changes: Partial<AnimalEntity> = {};
    if (input.name !== undefined) changes.name = cleanName(notNull(input.name, 'name'));
    if (input.hatchDate !== undefined) changes.hatchDate = cleanHatchDate(input.hatchDate);
    if (input.morph !== undefined) changes.morph = cleanMorph(input.morph);
    if (input.genes !== undefined) changes.genes = cleanGenes(notNull(input.genes, 'genes'));
    if (input.weightGrams !== undefined) changes.weightGrams = cleanWeight(input.weightGrams);
    if (input.status !== undefined) {
      const status = cleanStatus(notNull(input.status, 'status'));
      if (status !== animal.status && (animal.status === 'RESERVED' || animal.status === 'SOLD')) {
        throw new ConflictError(`The animal is ${animal.status}; only checkout changes that.`);
      }
      changes.status = status;
    }
    if (input.sex !== undefined) {
      changes.sex = notNull(input.sex, 'sex');
      if (changes.sex !== animal.sex) await checkSexChange(tx, id, changes.sex);
    }
    const sireId = optionalUuid(input.sireId, 'sireId');
    const damId = optionalUuid(input.damId, 'damId');
    if (sireId !== undefined) changes.sireId = sireId;
    if (damId !== undefined) changes.damId = damId;
    if (sireId !== undefined || damId !== undefined) {
      await checkParents(tx, {
        animalId: id,
        speciesId: animal.speciesId,
        // The pair is checked as it will be, so that sire and dam never end up the same animal.
        sireId: sireId === undefined ? animal.sireId : sireId,
        damId: damId === undefined ? animal.damId : damId,
      });
    }
    const before = Object.fromEntries(
      Object.keys(changes).map((key) => [key, animal[key as keyof AnimalEntity]]),
    );
    tx.assign(animal, changes);
    await tx.flush();
    await enqueueAudit(jobs, tx, {
      actor: caller.userId,
      action: 'updateAnimal',
      subject: `Animal:${id}`,
      diff: { from: before, to: changes },
    });
    return animal;
  });
}
