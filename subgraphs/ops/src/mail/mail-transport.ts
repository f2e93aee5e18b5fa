import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { RenderedMail } from './mail-templates.js';

export interface OutgoingMail extends RenderedMail {
  to: string;
  /** Sent as the Message-ID's local part, so a receiver can tell a duplicate. */
  idempotencyKey: string;
}

export interface MailTransport {
  /** `smtp` or `file`, for the logs. */
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface MailSettings {
  /** SMTP_URL (smtp://user:pass@host:port); unset = the file transport. */
  smtpUrl: string | null;
  /** Where the file transport writes .eml files. MAIL_DIR. @default .data/mail */
  mailDir: string;
  /** MAIL_FROM. @default "Terrarium <no-reply@terrarium.test>" */
  from: string;
}

export function loadMailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings {
  return Object.freeze({
    smtpUrl: env['SMTP_URL'] || null,
    mailDir: resolve(env['MAIL_DIR'] || '.data/mail'),
    from: env['MAIL_FROM'] || 'Terrarium <no-reply@terrarium.test>',
  });
}

const message = (settings: MailSettings, mail: OutgoingMail) => ({
  from: settings.from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  messageId: `<${mail.idempotencyKey}@terrarium>`,
});

/**
 * SMTP over nodemailer when SMTP_URL is set. Without it, the **file transport**: each mail is
 * written as an RFC 822 `.eml` file under MAIL_DIR and its path logged, so development and
 * `npm start` see every mail without a mail server.
 */
export function createMailTransport(settings: MailSettings, logger: Logger): MailTransport {
  if (settings.smtpUrl) {
    // No pool: one connection per mail, so a restarted SMTP server is simply connected to again.
    const smtp = nodemailer.createTransport(settings.smtpUrl);
    return {
      kind: 'smtp',
      async send(mail) {
        await smtp.sendMail(message(settings, mail));
      },
      close: () => smtp.close(),
    };
  }
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(mail) {
      const info = await stream.sendMail(message(settings, mail));
      await mkdir(settings.mailDir, { recursive: true });
      const path = join(
        settings.mailDir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`,
      );
      await writeFile(path, info.message as Buffer);
      logger.info(
        { path, to: mail.to, subject: mail.subject },
        'mail written by the file transport (SMTP_URL unset)',
      );
    },
    close: () => stream.close(),
  };
}
