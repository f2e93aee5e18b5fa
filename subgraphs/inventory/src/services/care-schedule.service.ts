import type { Caller } from '@terrarium/platform/caller';
import { BadUserInputError, NotFoundError } from '@terrarium/platform/errors';
import { execute, queryOne } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal } from '../entities/animal.entity.js';
import type { CareKind } from '../entities/care-log.entity.js';
import { CareSchedule, type CareScheduleEntity } from '../entities/care-schedule.entity.js';
import { requireCarerOf } from './access.js';
import { careRemindersJob } from './care-reminders.job.js';

/** A schedule repeats every 1..365 days. */
const MAX_EVERY_DAYS = 365;

/**
 * The animal's carer (keeper, breeder while it holds the animal, or staff) sets how often a
 * kind of care is due. The next due time counts from the last care of that kind on record, or
 * from now when there is none; setting it again replaces the interval. A schedule already due
 * (the last care is older than the interval) is reminded of now, not at the next minute's run.
 */
export async function setCareSchedule(
  em: EntityManager,
  jobs: JobQueue,
  caller: Caller,
  animalIdArg: string,
  kind: CareKind,
  everyDays: number,
): Promise<CareScheduleEntity> {
  const animalId = requireUuid(animalIdArg, 'animalId');
  if (!Number.isInteger(everyDays) || everyDays < 1 || everyDays > MAX_EVERY_DAYS) {
    throw new BadUserInputError(
      `"everyDays" must be a whole number of days from 1 to ${MAX_EVERY_DAYS}.`,
      'everyDays',
    );
  }
  return em.transactional(async (tx) => {
    const animal = await tx.findOne(Animal, { id: animalId });
    if (!animal) throw new NotFoundError('Animal');
    requireCarerOf(caller, animal);
    const row = await queryOne<Record<string, unknown>>(
      tx,
      `insert into care_schedule (animal_id, kind, every_days, next_due_at, set_by)
       select ?, ?, ?, coalesce(max(recorded_at), now()) + make_interval(days => ?), ?
         from care_log where animal_id = ? and kind = ?
       on conflict (animal_id, kind) do update
         set every_days = excluded.every_days, next_due_at = excluded.next_due_at, set_by = excluded.set_by, updated_at = now()
       returning *`,
      [animalId, kind, everyDays, everyDays, caller.userId, animalId, kind],
    );
    const schedule = tx.map(CareSchedule, row!);
    if (schedule.nextDueAt.getTime() <= Date.now()) {
      await jobs.enqueue(tx, careRemindersJob, {}, { singletonKey: 'due-on-set', singletonSeconds: 5 });
    }
    return schedule;
  });
}

/**
 * Care of `kind` was recorded at `recordedAt`: its schedule's next due time moves to recordedAt +
 * everyDays, never back (a back-filled old entry leaves a later due time as it is).
 */
export async function advanceCareSchedule(
  em: EntityManager,
  animalId: string,
  kind: CareKind,
  recordedAt: Date,
): Promise<void> {
  await execute(
    em,
    `update care_schedule set next_due_at = ?::timestamptz + make_interval(days => every_days), updated_at = now()
      where animal_id = ? and kind = ? and ?::timestamptz + make_interval(days => every_days) > next_due_at`,
    [recordedAt, animalId, kind, recordedAt],
  );
}
