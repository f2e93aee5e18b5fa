import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceClient } from '../service-client.js';
import { defineJob } from './define-job.js';
import type { JobQueue } from './job-queue.js';

/** A privileged action for ops' audit log. */
export interface AuditEntry {
  /** The user who did it (caller.userId); null for a service or a partner acting alone. */
  actor: string | null;
  /** What was done, e.g. `adjustStock`. */
  action: string;
  /** What it was done to, e.g. `Product:<id>`. */
  subject: string;
  /** What changed, as JSON (at most 10_000 characters once serialised, ops refuses more). */
  diff?: Record<string, unknown>;
}

/**
 * `audit.record`: retried with backoff (2 s, 4 s, ... 10 attempts, about 34 min) while ops is
 * down, then kept in `audit.record.dead`; the action itself never waits for ops.
 */
export const auditJob = defineJob<AuditEntry>('audit.record', {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 60,
});

/**
 * Owes ops an audit entry, in `em`'s transaction (the outbox): the entry is delivered if and only
 * if the action committed.
 */
export async function enqueueAudit(jobs: JobQueue, em: EntityManager, entry: AuditEntry): Promise<void> {
  await jobs.enqueue(em, auditJob, entry);
}

const RECORD = /* GraphQL */ `
  mutation RecordAudit($action: String!, $actorId: ID, $subject: String!, $diff: String, $key: String) {
    recordAudit(action: $action, actorId: $actorId, subject: $subject, diff: $diff, key: $key)
  }
`;

/**
 * Delivers entries to ops' internal `recordAudit` as this service (a signed caller token, through
 * the kit's service client). The job's id is the entry's key, unique in ops' audit log, so a job
 * run again (a worker killed after ops answered) records the entry once. An error answer throws,
 * so the job is retried.
 */
export async function workAudit(jobs: JobQueue, services: ServiceClient): Promise<void> {
  await jobs.work(auditJob, async (entry, run) => {
    const result = await services.call<{ recordAudit: boolean }>('ops', RECORD, {
      action: entry.action,
      actorId: entry.actor,
      subject: entry.subject,
      diff: entry.diff === undefined ? null : JSON.stringify(entry.diff),
      key: `${run.queue}:${run.id}`,
    });
    if (result.errors.length > 0 || result.data?.recordAudit !== true) {
      throw new Error(
        `ops refused the audit entry: ${result.errors.map((e) => e.message).join('; ') || 'no answer'}`,
      );
    }
  });
}
