import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { query } from '@terrarium/subgraph-kit/sql';
import { enqueueRefund } from './refund.job.js';
import { enqueueSettlement } from './settle-payment.job.js';

/**
 * The sweeper enqueues the job of a payment still PROCESSING, or a refund still PENDING, again:
 * so that one whose job used up its retries (a provider down for longer than its backoff covers)
 * is still settled once the provider is back. At most once per row per REDRIVE_SECONDS (a
 * singleton key), so a long outage does not pile up jobs; a twin of a job that is still retrying
 * has no second effect (the handlers are idempotent per row). @default 3_600 s
 */
const REDRIVE_SECONDS = 3_600;

/** Payments left PROCESSING for over `ageSeconds`: their settle job again. Claimed by touching updated_at. */
export async function redrivePayments(
  em: EntityManager,
  jobs: JobQueue,
  ageSeconds: number,
  limit: number,
): Promise<number> {
  const rows = await query<{ id: string; attempt: number }>(
    em,
    `update payment set updated_at = now()
      where id in (select id from payment where status = 'PROCESSING' and updated_at < now() - make_interval(secs => ?)
                   order by updated_at for update skip locked limit ?)
      returning id, attempt`,
    [ageSeconds, limit],
  );
  for (const { id, attempt } of rows) {
    await enqueueSettlement(
      jobs,
      em,
      { paymentId: id, attempt },
      { singletonKey: `redrive:${id}:${attempt}`, singletonSeconds: REDRIVE_SECONDS },
    );
  }
  return rows.length;
}

/** Refunds left PENDING for over `ageSeconds`: their refund job again. */
export async function redriveRefunds(
  em: EntityManager,
  jobs: JobQueue,
  ageSeconds: number,
  limit: number,
): Promise<number> {
  const rows = await query<{ id: string }>(
    em,
    `update refund set updated_at = now()
      where id in (select id from refund where status = 'PENDING' and updated_at < now() - make_interval(secs => ?)
                   order by updated_at for update skip locked limit ?)
      returning id`,
    [ageSeconds, limit],
  );
  for (const { id } of rows)
    await enqueueRefund(jobs, em, id, { singletonKey: `redrive:${id}`, singletonSeconds: REDRIVE_SECONDS });
  return rows.length;
}
