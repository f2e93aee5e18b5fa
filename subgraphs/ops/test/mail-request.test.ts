/**
 * Mail asked for by another subgraph: the asker's `mail.request` job (kit jobs/mail-request.ts)
 * reaches ops' internal requestMail over real HTTP as a signed service caller; ops looks the user's
 * address up and mails once per sender and key, however often the request is delivered.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJobQueue,
  enqueueMailRequest,
  workMailRequests,
  type JobQueue,
} from '@terrarium/subgraph-kit/jobs';
import { createServiceClient } from '@terrarium/subgraph-kit/service-client';
import { execute, firstError, serviceCaller } from '@terrarium/subgraph-kit/testing';
import { asUser, em, insertUsers, startOps, type Ops } from './helpers.js';

const REQUEST_MAIL = /* GraphQL */ `
  mutation RequestMail($userId: ID!, $template: String!, $data: String!, $key: String!) {
    requestMail(userId: $userId, template: $template, data: $data, key: $key)
  }
`;
const mailDir = mkdtempSync(join(tmpdir(), 'terrarium-mail-request-'));
const askerSchema = `asker_${randomBytes(4).toString('hex')}_jobs`;
let ops: Ops;
let asker: JobQueue;
let userId: string;

const mailFiles = () => readdirSync(mailDir).filter((file) => file.endsWith('.eml'));

beforeAll(async () => {
  ops = await startOps('ops_test_mail_request', { SMTP_URL: '', MAIL_DIR: mailDir });
  const url = await ops.listen(0);
  userId = (await insertUsers(ops, 1, `mail-request-${randomBytes(3).toString('hex')}-`))[0]!;
  // The asking subgraph: its own jobs schema and its own service client, as commerce would have.
  const logger = pino({ level: 'silent' });
  asker = await createJobQueue({
    databaseUrl: process.env['DATABASE_URL']!,
    schema: askerSchema,
    mode: 'all',
    logger,
    registry: new Registry(),
  });
  await workMailRequests(
    asker,
    createServiceClient('commerce', { ops: url }, process.env['INTERNAL_SECRET']!),
  );
});

afterAll(async () => {
  await asker?.stop(1);
  await em(ops).getConnection().execute(`drop schema if exists "${askerSchema}" cascade`);
  await ops?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

describe('requestMail', () => {
  it('mails the user once per key, though the request is delivered twice', async () => {
    const request = {
      userId,
      template: 'shipped',
      data: { orderId: 'o-42', carrier: 'DHL', trackingNumber: 'JD0042' },
      key: 'shipped:s-42',
    };
    await enqueueMailRequest(asker, em(ops), request);
    await enqueueMailRequest(asker, em(ops), request);
    const until = Date.now() + 20_000;
    while (mailFiles().length === 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // Both requests have reached ops by now or soon: give the second one time to (not) mail.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(mailFiles()).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(mailDir, mailFiles()[0]!)));
    expect(mail.subject).toBe('Order o-42 shipped');
    expect((mail.to as { text: string }).text).toMatch(/^mail-request-.*1@example\.test$/);
    expect(mail.messageId).toBe('<commerce:shipped:s-42@terrarium>');
  }, 40_000);

  it('refuses an unknown template, data that does not fit it, and callers that are not services', async () => {
    const ask = (template: string, data: unknown, caller = serviceCaller('commerce')) =>
      execute(ops, REQUEST_MAIL, { userId, template, data: JSON.stringify(data), key: 'k' }, caller);
    expect(firstError(await ask('lottery-win', { orderId: 'o1' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'template',
      message: 'Unknown mail template "lottery-win".',
    });
    expect(firstError(await ask('shipped', { orderId: 'o1' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'data',
      message: expect.stringContaining('carrier, trackingNumber'),
    });
    expect(firstError(await ask('password-reset', { resetUrl: 'http://evil.test' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'template',
    });
    expect(firstError(await ask('order-expired', { orderId: 'o1' }, asUser(userId)))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
