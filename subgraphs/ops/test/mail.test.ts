import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import { createOrm, type Orm } from '@terrarium/subgraph-kit/orm';
import { freePort, eventually } from '@terrarium/subgraph-kit/testing';
import { enqueueMail, workMail } from '../src/mail/mail.job.js';
import { createMailTransport, type MailTransport } from '../src/mail/mail-transport.js';

const databaseUrl = process.env['DATABASE_URL']!;
const schema = `mail_${randomBytes(4).toString('hex')}`;
const logger = pino({ level: 'silent' });
let orm: Orm;
let jobs: JobQueue;
let transport: MailTransport;
let smtpPort: number;
let smtp: SMTPServer | null = null;
const received: ParsedMail[] = [];

/** A real SMTP server on a fixed port that the test stops and starts again. */
async function startSmtp(): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp!.listen(smtpPort, '127.0.0.1', resolve));
}
const stopSmtp = () => new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));

beforeAll(async () => {
  smtpPort = (await freePort()) as number;
  orm = await createOrm({ databaseUrl, schema, entities: [], migrations: [], logger });
  jobs = await createJobQueue({
    databaseUrl,
    schema: `${schema}_jobs`,
    mode: 'all',
    logger,
    registry: new Registry(),
  });
  transport = createMailTransport(
    { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, mailDir: '', from: 'Terrarium <no-reply@terrarium.test>' },
    logger,
  );
  await workMail(jobs, orm, transport, logger);
});

afterAll(async () => {
  await jobs?.stop(1);
  transport?.close();
  await stopSmtp();
  await orm?.em.fork().getConnection().execute(`drop schema if exists "${schema}_jobs" cascade`);
  await orm?.close();
});

describe('mail.send over SMTP', () => {
  it('retries with backoff while the SMTP server is down, and each mail arrives exactly once when it is back', async () => {
    await startSmtp();
    await enqueueMail(jobs, orm.em.fork(), {
      to: 'a@example.test',
      idempotencyKey: 'order-placed:o1',
      template: 'order-placed',
      data: { orderId: 'o1', total: '€12.00' },
    });
    await eventually(() => received.length === 1, 20_000, 'the first mail');

    await stopSmtp();
    await orm.em.fork().transactional(async (tx) => {
      await enqueueMail(jobs, tx, {
        to: 'b@example.test',
        idempotencyKey: 'shipped:o2',
        template: 'shipped',
        data: { orderId: 'o2', carrier: 'DHL', trackingNumber: 'JD0001' },
      });
      await enqueueMail(jobs, tx, {
        to: 'c@example.test',
        idempotencyKey: 'refunded:o3',
        template: 'refunded',
        data: { orderId: 'o3', amount: '€5.00' },
      });
      // The same request again (a caller's retry): one mail.
      await enqueueMail(jobs, tx, {
        to: 'c@example.test',
        idempotencyKey: 'refunded:o3',
        template: 'refunded',
        data: { orderId: 'o3', amount: '€5.00' },
      });
    });
    // Down until the first attempts have failed and been scheduled again (polled, not a fixed sleep:
    // on a loaded machine the first attempt can start late).
    const retries = async () => {
      const rows = await orm.em
        .fork()
        .getConnection()
        .execute<{ retries: number | null }[]>(
          `select max(retry_count)::int as retries from "${schema}_jobs".job where name = 'mail.send'`,
          [],
          'all',
        );
      return rows[0]?.retries ?? 0;
    };
    const until = Date.now() + 30_000;
    while ((await retries()) < 1 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await retries()).toBeGreaterThanOrEqual(1);
    expect(received).toHaveLength(1);

    await startSmtp();
    await eventually(() => received.length >= 3, 40_000, 'the mails after the restart');
    // Anything still due would have arrived by now (the next retry is at most a few seconds out).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const byMessageId = received.map((mail) => mail.messageId).sort();
    expect(byMessageId).toEqual([
      '<order-placed:o1@terrarium>',
      '<refunded:o3@terrarium>',
      '<shipped:o2@terrarium>',
    ]);
    const shipped = received.find((mail) => mail.messageId === '<shipped:o2@terrarium>')!;
    expect(shipped.subject).toBe('Order o2 shipped');
    expect(shipped.text).toContain('Tracking number: JD0001.');
    expect(shipped.html).toContain('<p>Tracking number: JD0001.</p>');
  }, 90_000);

  it('writes each mail as an .eml file when SMTP_URL is unset (the file transport)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'terrarium-mail-'));
    const files = createMailTransport(
      { smtpUrl: null, mailDir: dir, from: 'Terrarium <no-reply@terrarium.test>' },
      logger,
    );
    try {
      await files.send({
        to: 'd@example.test',
        idempotencyKey: 'reset:1',
        subject: 'Reset your Terrarium password',
        text: 'link',
        html: '<p>link</p>',
      });
      const written = readdirSync(dir);
      expect(written).toHaveLength(1);
      expect(written[0]).toMatch(/\.eml$/);
      const parsed = await simpleParser(readFileSync(join(dir, written[0]!)));
      expect(parsed.subject).toBe('Reset your Terrarium password');
      expect(parsed.messageId).toBe('<reset:1@terrarium>');
    } finally {
      files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
