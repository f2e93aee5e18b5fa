/**
 * Password reset: a mail through the mail.send job (here the file transport, .eml files in a
 * temporary MAIL_DIR) carries a single-use, 30-minute token; an unknown address gets the same
 * answer and no mail; requests are limited per address.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData, expectErrorCode, firstError } from '@terrarium/subgraph-kit/testing';
import { em, LOG_IN, SIGN_UP, startOps, type AuthData, type Ops } from './helpers.js';

const REQUEST = /* GraphQL */ `
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`;
const RESET = /* GraphQL */ `
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) {
      token
      user {
        id
        email
      }
    }
  }
`;
const OLD_PASSWORD = 'old password 12345';
const run_ = `${Date.now()}-${randomInt(1e6)}`;

const mailDir = mkdtempSync(join(tmpdir(), 'terrarium-reset-'));
let ops: Ops;
const seen = new Set<string>();

/** The next .eml file the mail job writes, parsed; fails after 15 s. */
async function nextMail() {
  const until = Date.now() + 15_000;
  for (;;) {
    const fresh = readdirSync(mailDir).filter((file) => !seen.has(file));
    if (fresh.length > 0) {
      seen.add(fresh[0]!);
      return simpleParser(readFileSync(join(mailDir, fresh[0]!)));
    }
    if (Date.now() > until) throw new Error('timed out waiting for the reset mail');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function requestToken(email: string): Promise<{ token: string; to: string }> {
  expect(await expectData(ops, REQUEST, { email })).toEqual({ requestPasswordReset: true });
  const mail = await nextMail();
  const url = /(http\S+reset-password\S+)/.exec(mail.text ?? '')?.[1];
  const token = url ? new URL(url).searchParams.get('token') : null;
  if (!token) throw new Error(`no reset link in ${mail.text}`);
  return { token, to: (mail.to as { text: string }).text };
}

beforeAll(async () => {
  ops = await startOps('ops_test_password_reset', {
    SMTP_URL: '',
    MAIL_DIR: mailDir,
    PASSWORD_RESET_MAX_PER_ADDRESS: '3',
  });
});
afterAll(async () => {
  await ops?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

describe('ops: password reset', () => {
  it('mails a token that resets the password once; the old password and a second use are refused', async () => {
    const email = `reset-${run_}@example.test`;
    await expectData(ops, SIGN_UP, { input: { email, password: OLD_PASSWORD, displayName: 'Resetter' } });
    const { token, to } = await requestToken(email.toUpperCase());
    expect(to).toBe(email);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Stored hashed: the token itself is nowhere in the table.
    const rows = await em(ops).execute<{ token_hash: string; expires_at: Date }[]>(
      'select token_hash, expires_at from password_reset_token',
    );
    expect(rows.some((row) => row.token_hash.includes(token))).toBe(false);
    const minutesLeft = (new Date(rows.at(-1)!.expires_at).getTime() - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(29);
    expect(minutesLeft).toBeLessThanOrEqual(30);

    const reset = await expectData<{ resetPassword: AuthData }>(ops, RESET, {
      token,
      password: 'brand new password',
    });
    expect(reset.resetPassword.user.email).toBe(email);
    expect(reset.resetPassword.token.split('.')).toHaveLength(3);
    await expectData(ops, LOG_IN, { email, password: 'brand new password' });
    await expectErrorCode(ops, 'UNAUTHENTICATED', LOG_IN, { email, password: OLD_PASSWORD });

    const again = await expectErrorCode(ops, 'BAD_USER_INPUT', RESET, {
      token,
      password: 'another new password',
    });
    expect(again.message).toMatch(/invalid, already used or expired/);
    await expectData(ops, LOG_IN, { email, password: 'brand new password' });
  }, 60_000);

  it('revokes every token issued before the reset; the token it answers is dated no earlier', async () => {
    const email = `revoke-${run_}@example.test`;
    const { signUp } = await expectData<{ signUp: AuthData }>(ops, SIGN_UP, {
      input: { email, password: OLD_PASSWORD, displayName: 'Stolen' },
    });
    const { token } = await requestToken(email);
    const reset = await expectData<{ resetPassword: AuthData }>(ops, RESET, {
      token,
      password: 'brand new password',
    });
    const [row] = await em(ops).execute<{ tokens_not_before: Date }[]>(
      'select tokens_not_before from user_account where id = ?',
      [signUp.user.id],
    );
    const notBefore = new Date(row!.tokens_not_before).getTime() / 1000;
    // Gateways refuse tokens with iat < notBefore (gateway/src/identity/token-revocations.ts).
    expect(decodeJwt(signUp.token).iat).toBeLessThan(notBefore);
    expect(decodeJwt(reset.resetPassword.token).iat).toBeGreaterThanOrEqual(notBefore);
  }, 60_000);

  it('refuses an expired token', async () => {
    const email = `expired-${run_}@example.test`;
    await expectData(ops, SIGN_UP, { input: { email, password: OLD_PASSWORD, displayName: 'Late' } });
    const { token } = await requestToken(email);
    await em(ops).execute(
      `update password_reset_token set expires_at = now() - interval '1 second' where used_at is null`,
    );
    await expectErrorCode(ops, 'BAD_USER_INPUT', RESET, { token, password: 'too late password' });
    await expectData(ops, LOG_IN, { email, password: OLD_PASSWORD });
  }, 60_000);

  it('answers an unknown address exactly as a known one, and mails nothing', async () => {
    const before = readdirSync(mailDir).length;
    const result = await execute(ops, REQUEST, { email: `nobody-${run_}@example.test` });
    expect(result).toEqual({ data: { requestPasswordReset: true }, errors: [] });
    // A known address's mail arrives well within this; none must for the unknown one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(readdirSync(mailDir)).toHaveLength(before);
    expect(
      await em(ops).execute(
        'select 1 from password_reset_token t join user_account u on u.id = t.user_id where u.email like ?',
        [`nobody-${run_}%`],
      ),
    ).toHaveLength(0);
  });

  it('limits requests per address, known or not, with RATE_LIMITED', async () => {
    for (const email of [`limited-${run_}@example.test`, `ghost-${run_}@example.test`]) {
      if (email.startsWith('limited'))
        await expectData(ops, SIGN_UP, { input: { email, password: OLD_PASSWORD, displayName: 'Limited' } });
      for (let i = 0; i < 3; i += 1)
        expect(await expectData(ops, REQUEST, { email })).toEqual({ requestPasswordReset: true });
      const refused = firstError(await execute(ops, REQUEST, { email }));
      expect(refused?.code).toBe('RATE_LIMITED');
    }
    // Another address is not braked.
    expect(await expectData(ops, REQUEST, { email: `other-${run_}@example.test` })).toEqual({
      requestPasswordReset: true,
    });
  }, 60_000);

  it('refuses a malformed token and a short password with BAD_USER_INPUT', async () => {
    await expectErrorCode(ops, 'BAD_USER_INPUT', RESET, {
      token: 'x'.repeat(43),
      password: 'long enough password',
    });
    await expectErrorCode(ops, 'BAD_USER_INPUT', RESET, { token: 'x'.repeat(43), password: 'short' });
  });
});
