import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceClient } from '../service-client.js';
import { defineJob } from './define-job.js';
import type { JobQueue } from './job-queue.js';

/**
 * A mail some subgraph owes a user. Ops owns users' addresses and sends every mail, so the
 * asking subgraph names the user and one of ops' templates (subgraphs/ops/src/mail/mail-templates.ts)
 * with its data; ops looks the address up and renders the mail.
 */
export interface MailRequest {
  userId: string;
  template: string;
  data: Record<string, unknown>;
  /** Unique per mail owed, e.g. `order-placed:<orderId>`: the same key is mailed once. */
  key: string;
}

/**
 * `mail.request`: retried with backoff (2 s, 4 s, ... 10 attempts, about 34 min) while ops is
 * down, then kept in `mail.request.dead`; the write that owes the mail never waits for ops.
 */
export const mailRequestJob = defineJob<MailRequest>('mail.request', {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 60,
});

/** Owes a mail, in `em`'s transaction (the outbox): it is asked for if and only if the write committed. */
export async function enqueueMailRequest(
  jobs: JobQueue,
  em: EntityManager,
  request: MailRequest,
): Promise<void> {
  await jobs.enqueue(em, mailRequestJob, request);
}

const REQUEST = /* GraphQL */ `
  mutation RequestMail($userId: ID!, $template: String!, $data: String!, $key: String!) {
    requestMail(userId: $userId, template: $template, data: $data, key: $key)
  }
`;

/**
 * Hands requests to ops' internal `requestMail` as this service. Ops queues the mail under the
 * sender and key, so a request delivered twice (a worker killed after ops answered) is one mail.
 * An error answer throws, so the job is retried.
 */
export async function workMailRequests(jobs: JobQueue, services: ServiceClient): Promise<void> {
  await jobs.work(mailRequestJob, async (request) => {
    const result = await services.call<{ requestMail: boolean }>('ops', REQUEST, {
      userId: request.userId,
      template: request.template,
      data: JSON.stringify(request.data),
      key: request.key,
    });
    if (result.errors.length > 0 || result.data?.requestMail !== true) {
      throw new Error(
        `ops refused the mail request: ${result.errors.map((e) => e.message).join('; ') || 'no answer'}`,
      );
    }
  });
}
