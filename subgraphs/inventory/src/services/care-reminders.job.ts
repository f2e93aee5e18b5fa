import { defineJob, enqueueMailRequest, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import { query } from '@terrarium/subgraph-kit/sql';
import type { JobDeps } from '@terrarium/subgraph-kit/subgraph';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CareKind } from '../entities/care-log.entity.js';

/** What `careReminderDue` carries: enough to decide who hears it and to resolve the animal. */
export interface CareReminderEvent {
  animalId: string;
  kind: CareKind;
  /** ISO time the care fell due. */
  dueAt: string;
  /** The keeper told; null while the breeder holds the animal (its members are told). */
  keeperId: string | null;
  organizationId: string;
}

export const CARE_REMINDER_TOPIC = 'careReminderDue';
/** Schedules fallen due, claimed per run; the rest wait for the next minute. @default 500 */
const REMINDER_BATCH = 500;

/** Every minute, once per cluster (`stately`: a run still going makes the next tick wait). */
export const careRemindersJob = defineJob<Record<string, never>>('care.reminders', {
  retryLimit: 0,
  expireInSeconds: 120,
  concurrency: 1,
  policy: 'stately',
});
/** Publishes claimed reminders after their claim committed; concurrency 1 keeps them in order. */
const careReminderDueJob = defineJob<{ reminders: CareReminderEvent[] }>('care.reminder-due', {
  retryLimit: 3,
  retryDelay: 1,
  concurrency: 1,
});
/** The keepers' daily digest mail, once per cluster per tick of INVENTORY_CARE_DIGEST_CRON. */
export const careDigestJob = defineJob<Record<string, never>>('care.digest', {
  retryLimit: 3,
  expireInSeconds: 300,
  concurrency: 1,
  policy: 'stately',
});

/**
 * One run of `care.reminders`: claims the schedules that fell due and were not reminded of for
 * this due time, and owes their events in the same transaction: a reminder goes out once per due
 * time, after the claim committed, however many workers run the job.
 */
export async function remindDueCare(em: EntityManager, jobs: JobQueue): Promise<number> {
  return em.transactional(async (tx) => {
    const rows = await query<{
      animal_id: string;
      kind: CareKind;
      next_due_at: Date;
      keeper_id: string | null;
      organization_id: string;
    }>(
      tx,
      `with due as (
         select id from care_schedule
          where next_due_at <= now() and reminded_for is distinct from next_due_at
          order by next_due_at limit ? for update skip locked)
       update care_schedule s set reminded_for = s.next_due_at
         from due, animal a
        where s.id = due.id and a.id = s.animal_id
       returning s.animal_id, s.kind, s.next_due_at, a.keeper_id, a.organization_id`,
      [REMINDER_BATCH],
    );
    if (rows.length === 0) return 0;
    const reminders = rows.map((row) => ({
      animalId: row.animal_id,
      kind: row.kind,
      dueAt: new Date(row.next_due_at).toISOString(),
      keeperId: row.keeper_id,
      organizationId: row.organization_id,
    }));
    await jobs.enqueue(tx, careReminderDueJob, { reminders });
    return reminders.length;
  });
}

const TASK: Record<CareKind, string> = {
  FEEDING: 'feeding',
  WEIGHT: 'weighing',
  SHED: 'shed check',
  NOTE: 'check-up',
};

/**
 * Owes each keeper with care due by the end of `day` (UTC) one digest mail, asked of ops in one
 * transaction. The mail's key names keeper and day, so a second run that day mails nobody twice.
 */
export async function requestCareDigests(em: EntityManager, jobs: JobQueue, day: string): Promise<number> {
  return em.transactional(async (tx) => {
    const rows = await query<{
      keeper_id: string;
      name: string;
      kind: CareKind;
      every_days: number;
      next_due_at: Date;
    }>(
      tx,
      `select a.keeper_id, a.name, s.kind, s.every_days, s.next_due_at
         from care_schedule s join animal a on a.id = s.animal_id
        where a.keeper_id is not null and s.next_due_at < ?::date + 1
        order by a.keeper_id, s.next_due_at, a.name`,
      [day],
    );
    const byKeeper = new Map<string, { animal: string; task: string }[]>();
    for (const row of rows) {
      const due = new Date(row.next_due_at).toISOString().slice(0, 10);
      const when = due < day ? `overdue since ${due}` : 'due today';
      const items = byKeeper.get(row.keeper_id) ?? [];
      items.push({ animal: row.name, task: `${TASK[row.kind]} (every ${row.every_days} days), ${when}` });
      byKeeper.set(row.keeper_id, items);
    }
    for (const [userId, items] of byKeeper) {
      await enqueueMailRequest(jobs, tx, {
        userId,
        template: 'care-digest',
        data: { items },
        key: `care-digest:${userId}:${day}`,
      });
    }
    return byKeeper.size;
  });
}

/** Handlers and schedules: reminders every minute, the digest on `digestCron`. */
export async function workCareReminders({ jobs, orm, events }: JobDeps, digestCron: string): Promise<void> {
  await jobs.work(careRemindersJob, async () => {
    await remindDueCare(orm.em.fork(), jobs);
  });
  await jobs.work(careReminderDueJob, async ({ reminders }, run) => {
    // Keyed by job and position: a rerun after a crash publishes none of them twice.
    for (const [index, reminder] of reminders.entries())
      await events.publish<CareReminderEvent>(CARE_REMINDER_TOPIC, reminder, { key: `${run.id}:${index}` });
  });
  await jobs.work(careDigestJob, async () => {
    await requestCareDigests(orm.em.fork(), jobs, new Date().toISOString().slice(0, 10));
  });
  await jobs.schedule(careRemindersJob, '* * * * *', {});
  await jobs.schedule(careDigestJob, digestCron, {});
}
