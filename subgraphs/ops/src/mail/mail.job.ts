import type { EntityManager } from '@mikro-orm/postgresql';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import type { Logger } from 'pino';
import { renderMail, type MailTemplate } from './mail-templates.js';
import type { MailTransport } from './mail-transport.js';

export type MailRequest = MailTemplate & { to: string; idempotencyKey: string };

/**
 * `mail.send`: retried with exponential backoff (2 s, 4 s, 8 s, ... 10 attempts, about 34 min)
 * while the SMTP server is down, then kept in `mail.send.dead`.
 */
export const mailSendJob = defineJob<MailRequest>('mail.send', {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 60,
});

/**
 * Owes a mail, in `em`'s transaction. The idempotency key is also the job's singleton key (for 12 h, pg-boss's limit): the
 * same request made twice (a retried caller) queues one mail.
 */
export async function enqueueMail(jobs: JobQueue, em: EntityManager, request: MailRequest): Promise<void> {
  await jobs.enqueue(em, mailSendJob, request, {
    singletonKey: request.idempotencyKey,
    singletonSeconds: 43_200,
  });
}

/**
 * Sends each mail once per idempotency key: a key already in `<jobs schema>.handled_job` is
 * skipped, and the key is recorded right after the SMTP server accepted the mail. A crash in
 * between (after the server's 250, before the record) is the one window for a duplicate, as
 * with any SMTP sender; the receiver sees the same Message-ID both times.
 */
export async function workMail(
  jobs: JobQueue,
  orm: Orm,
  transport: MailTransport,
  logger: Logger,
): Promise<void> {
  await jobs.work(mailSendJob, async (request) => {
    const key = `mail:${request.idempotencyKey}`;
    const conn = orm.em.fork().getConnection();
    const seen = await conn.execute(`select 1 from "${jobs.schema}".handled_job where key = ?`, [key], 'all');
    if ((seen as unknown[]).length > 0) return;
    await transport.send({ ...renderMail(request), to: request.to, idempotencyKey: request.idempotencyKey });
    await conn.execute(
      `insert into "${jobs.schema}".handled_job (key) values (?) on conflict do nothing`,
      [key],
      'all',
    );
    logger.debug({ template: request.template, transport: transport.kind }, 'mail sent');
  });
}
