import type { Caller } from '@terrarium/platform/caller';
import { BadUserInputError, NotFoundError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal } from '../entities/animal.entity.js';
import { CareLog, type CareKind, type CareLogEntity } from '../entities/care-log.entity.js';
import { requireCarerOf } from './access.js';
import { advanceCareSchedule } from './care-schedule.service.js';
import { cleanWeight } from './animal-input.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { execute } from '@terrarium/subgraph-kit/sql';

/** @default 2_000 characters */
const MAX_NOTES = 2_000;
/** Clock skew tolerated between a breeder's device and the server. @default 300_000 ms */
const FUTURE_SKEW_MS = 300_000;

export interface LogCareFields {
  kind: CareKind;
  notes?: string | null;
  weightGrams?: number | null;
  recordedAt?: Date | string | null;
}

/**
 * The animal's carer (its keeper, its breeder's members while the breeder holds it, or staff)
 * adds a care record, which also moves the schedule of that kind on. A WEIGHT entry also
 * becomes the animal's weightGrams, unless a later weighing is already on record (back-filled
 * history does not overwrite the current weight).
 */
export async function logCare(
  em: EntityManager,
  caller: Caller,
  animalIdArg: string,
  input: LogCareFields,
): Promise<CareLogEntity> {
  const animalId = requireUuid(animalIdArg, 'animalId');
  const notes = input.notes?.trim() || null;
  if (notes && [...notes].length > MAX_NOTES)
    throw new BadUserInputError(`"notes" must be at most ${MAX_NOTES} characters.`, 'notes');
  const weightGrams = cleanWeight(input.weightGrams);
  if (input.kind === 'WEIGHT' && weightGrams === null)
    throw new BadUserInputError('A WEIGHT entry needs weightGrams.', 'weightGrams');
  const recordedAt = input.recordedAt == null ? new Date() : new Date(input.recordedAt);
  if (recordedAt.getTime() > Date.now() + FUTURE_SKEW_MS)
    throw new BadUserInputError('"recordedAt" cannot be in the future.', 'recordedAt');

  return em.transactional(async (tx) => {
    const animal = await tx.findOne(Animal, { id: animalId });
    if (!animal) throw new NotFoundError('Animal');
    requireCarerOf(caller, animal);
    const entry = tx.create(CareLog, {
      animalId,
      kind: input.kind,
      notes,
      weightGrams,
      recordedAt,
      recordedBy: caller.userId,
    });
    await tx.flush();
    await advanceCareSchedule(tx, animalId, input.kind, recordedAt);
    if (input.kind === 'WEIGHT') {
      await execute(
        tx,
        `update animal set weight_grams = ?, updated_at = now()
          where id = ? and not exists (
            select 1 from care_log where animal_id = ? and kind = 'WEIGHT' and recorded_at > ?)`,
        [weightGrams, animalId, animalId, recordedAt],
      );
    }
    return entry;
  });
}
