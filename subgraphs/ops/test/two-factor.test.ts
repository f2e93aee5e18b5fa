/**
 * Two-factor sign-in (TOTP, RFC 6238) through ops' schema: the secret sealed at rest, confirmation
 * with a code and ten hashed recovery codes, logIn with and without a code, one step of clock
 * drift either way, replay refused, recovery codes single-use, wrong codes limited per account,
 * and REQUIRE_2FA_ROLES withholding STAFF until two-factor sign-in is on.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import { asUser, em, SIGN_UP, startOps, type AuthData, type Ops } from './helpers.js';

const PASSWORD = 'correct horse battery';
const run_ = `${Date.now()}-${randomInt(1e6)}`;
const START = 'mutation { startTwoFactor { secret otpauthUri } }';
const CONFIRM = 'mutation ($code: String!) { confirmTwoFactor(code: $code) { recoveryCodes } }';
const LOG_IN = /* GraphQL */ `
  mutation ($email: String!, $password: String!, $code: String) {
    logIn(email: $email, password: $password, code: $code) {
      token
      withheldRoles
      user {
        id
        roles
        twoFactorEnabled
      }
    }
  }
`;

/** The code an authenticator app shows `steps` 30-second steps from now. */
const codeAt = (secret: string, steps = 0) =>
  generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Waits out the end of a 30 s step, so that a test's codes all belong to the step it started in. */
async function earlyInStep(): Promise<void> {
  const into = (Date.now() / 1000) % 30;
  if (into > 18) await new Promise((resolve) => setTimeout(resolve, (30 - into + 0.2) * 1000));
}

let ops: Ops;
beforeAll(async () => {
  ops = await startOps('ops_test_two_factor', { REQUIRE_2FA_ROLES: 'STAFF', LOGIN_MAX_CODE_FAILURES: '5' });
});
afterAll(() => ops?.stop());

async function signUp(name: string): Promise<{ id: string; email: string }> {
  const email = `${name}-${run_}@example.test`;
  const { signUp } = await expectData<{ signUp: AuthData }>(ops, SIGN_UP, {
    input: { email, password: PASSWORD, displayName: name },
  });
  return { id: signUp.user.id, email };
}

type LoggedIn = {
  token: string;
  withheldRoles: string[];
  user: { id: string; roles: string[]; twoFactorEnabled: boolean | null };
};
const logIn = (email: string, code?: string) =>
  execute<{ logIn: LoggedIn }>(ops, LOG_IN, { email, password: PASSWORD, code });

/** Signs up a user and turns two-factor sign-in on with the code of `confirmStep`. */
async function withTwoFactor(name: string, confirmStep = 0) {
  const user = await signUp(name);
  const { startTwoFactor } = await expectData<{ startTwoFactor: { secret: string; otpauthUri: string } }>(
    ops,
    START,
    {},
    asUser(user.id),
  );
  const { confirmTwoFactor } = await expectData<{ confirmTwoFactor: { recoveryCodes: string[] } }>(
    ops,
    CONFIRM,
    { code: codeAt(startTwoFactor.secret, confirmStep) },
    asUser(user.id),
  );
  return {
    ...user,
    secret: startTwoFactor.secret,
    otpauthUri: startTwoFactor.otpauthUri,
    recoveryCodes: confirmTwoFactor.recoveryCodes,
  };
}

describe('ops: two-factor sign-in', () => {
  it('starts with a base32 secret and an otpauth URI, stores the secret sealed, and confirms with a current code', async () => {
    const user = await signUp('tara');
    expect(firstError(await execute(ops, START))?.code).toBe('UNAUTHENTICATED');
    const { startTwoFactor } = await expectData<{ startTwoFactor: { secret: string; otpauthUri: string } }>(
      ops,
      START,
      {},
      asUser(user.id),
    );
    expect(startTwoFactor.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(startTwoFactor.otpauthUri);
    expect([uri.protocol, uri.host, decodeURIComponent(uri.pathname)]).toEqual([
      'otpauth:',
      'totp',
      `/Terrarium:${user.email}`,
    ]);
    // SHA-1, 6 digits and 30 s are the Key URI Format's defaults: an URI that names none means them.
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: startTwoFactor.secret,
      issuer: 'Terrarium',
    });

    const [stored] = await em(ops).execute<{ secret: string; enabled_at: Date | null }[]>(
      'select secret, enabled_at from two_factor where user_id = ?',
      [user.id],
    );
    expect(stored!.secret).not.toContain(startTwoFactor.secret);
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.enabled_at).toBeNull();

    // Still pending: logIn does not ask for a code yet.
    expect((await logIn(user.email)).errors).toEqual([]);
    const wrong = codeAt(startTwoFactor.secret, 5);
    expect(firstError(await execute(ops, CONFIRM, { code: wrong }, asUser(user.id)))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'code',
    });
    const { confirmTwoFactor } = await expectData<{ confirmTwoFactor: { recoveryCodes: string[] } }>(
      ops,
      CONFIRM,
      { code: codeAt(startTwoFactor.secret) },
      asUser(user.id),
    );
    expect(confirmTwoFactor.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmTwoFactor.recoveryCodes).size).toBe(10);
    for (const code of confirmTwoFactor.recoveryCodes)
      expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    // Only hashes are stored, and the change is audited.
    const hashes = await em(ops).execute<{ code_hash: string }[]>(
      'select code_hash from recovery_code where user_id = ?',
      [user.id],
    );
    expect(hashes).toHaveLength(10);
    expect(hashes.map((h) => h.code_hash).join()).not.toContain(
      confirmTwoFactor.recoveryCodes[0]!.replace(/-/g, ''),
    );
    const audit = await em(ops).execute<{ action: string; actor_id: string }[]>(
      `select action, actor_id from audit_log where subject = ?`,
      [`User:${user.id}`],
    );
    expect(audit).toEqual([{ action: 'enableTwoFactor', actor_id: user.id }]);

    expect(firstError(await execute(ops, START, {}, asUser(user.id)))?.code).toBe('CONFLICT');
    expect(
      firstError(await execute(ops, CONFIRM, { code: codeAt(startTwoFactor.secret) }, asUser(user.id)))?.code,
    ).toBe('CONFLICT');
    const me = await expectData<{ me: { twoFactorEnabled: boolean } }>(
      ops,
      '{ me { twoFactorEnabled } }',
      {},
      asUser(user.id),
    );
    expect(me.me.twoFactorEnabled).toBe(true);
    const seen = await expectData<{ user: { twoFactorEnabled: boolean | null } }>(
      ops,
      'query ($id: ID!) { user(id: $id) { twoFactorEnabled } }',
      { id: user.id },
      asUser(randomUUID()),
    );
    expect(seen.user.twoFactorEnabled).toBeNull();
  });

  it('answers UNAUTHENTICATED with twoFactorRequired without a code, and a token with one; a wrong password says nothing about two-factor', async () => {
    const user = await withTwoFactor('uma');
    const without = await logIn(user.email);
    expect(without.data).toBeNull();
    expect(without.errors[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', twoFactorRequired: true });
    const wrongPassword = await execute(ops, LOG_IN, { email: user.email, password: 'not the password' });
    expect(wrongPassword.errors[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });

    await earlyInStep();
    const withCode = await logIn(user.email, codeAt(user.secret, 1));
    expect(withCode.errors).toEqual([]);
    expect(decodeJwt(withCode.data!.logIn.token)).toMatchObject({ sub: user.id, roles: ['KEEPER'] });
    expect(withCode.data!.logIn.user.twoFactorEnabled).toBe(true);
  });

  it('accepts a code one step either side of now, each once, and refuses two steps off', async () => {
    await earlyInStep();
    // Confirmed with the previous step's code: that step counts as used.
    const user = await withTwoFactor('vera', -1);
    const previous = await logIn(user.email, codeAt(user.secret, -1));
    expect(previous.errors[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', twoFactorRequired: true });
    expect(previous.errors[0]?.message).toBe('This two-factor code is not valid or was already used.');

    expect((await logIn(user.email, codeAt(user.secret, 0))).errors).toEqual([]);
    // The replay of an accepted code.
    expect(firstError(await logIn(user.email, codeAt(user.secret, 0)))?.code).toBe('UNAUTHENTICATED');
    // The next step is within the drift allowed; the one after is not.
    expect((await logIn(user.email, codeAt(user.secret, 1))).errors).toEqual([]);
    expect(firstError(await logIn(user.email, codeAt(user.secret, 2)))?.code).toBe('UNAUTHENTICATED');
  });

  it('takes each recovery code once, typed in any case and with or without dashes', async () => {
    const user = await withTwoFactor('wren');
    const [first, second] = user.recoveryCodes as [string, string];
    expect((await logIn(user.email, first)).errors).toEqual([]);
    expect(firstError(await logIn(user.email, first))?.code).toBe('UNAUTHENTICATED');
    expect((await logIn(user.email, ` ${second.replace(/-/g, '').toUpperCase()} `)).errors).toEqual([]);
    const used = await em(ops).execute<{ n: string }[]>(
      'select count(*) as n from recovery_code where user_id = ? and used_at is not null',
      [user.id],
    );
    expect(Number(used[0]!.n)).toBe(2);
    // Another account's recovery code is not this one's.
    const other = await withTwoFactor('xena');
    expect(firstError(await logIn(user.email, other.recoveryCodes[0]))?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses every code, the right one too, after five wrong ones on the account (RATE_LIMITED)', async () => {
    const user = await withTwoFactor('yara');
    for (let i = 0; i < 5; i += 1)
      expect(firstError(await logIn(user.email, `aaaa-bbbb-cccc-${String(i).padStart(4, '2')}`))?.code).toBe(
        'UNAUTHENTICATED',
      );
    const refused = await logIn(user.email, user.recoveryCodes[0]);
    expect(refused.errors[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    // The brake is on codes, per account: another account still signs in.
    const other = await withTwoFactor('zora');
    expect((await logIn(other.email, other.recoveryCodes[0])).errors).toEqual([]);
  });

  it('withholds STAFF (REQUIRE_2FA_ROLES) until two-factor sign-in is on', async () => {
    const user = await signUp('sage');
    const staff = asUser(randomUUID(), ['STAFF']);
    await expectData(
      ops,
      'mutation ($id: ID!) { setUserRoles(userId: $id, roles: [STAFF, KEEPER]) { id } }',
      { id: user.id },
      staff,
    );
    const before = await logIn(user.email);
    expect(before.errors).toEqual([]);
    expect(before.data!.logIn.withheldRoles).toEqual(['STAFF']);
    expect(before.data!.logIn.user.roles).toEqual(['STAFF', 'KEEPER']);
    expect(decodeJwt(before.data!.logIn.token)['roles']).toEqual(['KEEPER']);

    const { startTwoFactor } = await expectData<{ startTwoFactor: { secret: string } }>(
      ops,
      START,
      {},
      asUser(user.id, ['KEEPER']),
    );
    await earlyInStep();
    await expectData(ops, CONFIRM, { code: codeAt(startTwoFactor.secret) }, asUser(user.id, ['KEEPER']));
    const after = await logIn(user.email, codeAt(startTwoFactor.secret, 1));
    expect(after.errors).toEqual([]);
    expect(after.data!.logIn.withheldRoles).toEqual([]);
    expect(decodeJwt(after.data!.logIn.token)['roles']).toEqual(['STAFF', 'KEEPER']);
  });

  it('cannot read a secret sealed under another TOTP_ENCRYPTION_KEY: only recovery codes work there', async () => {
    const user = await withTwoFactor('quinn');
    const rekeyed = await startOps('ops_test_two_factor', {
      TOTP_ENCRYPTION_KEY: 'another key of at least thirty-two characters',
    });
    try {
      await earlyInStep();
      const viaTotp = await execute(rekeyed, LOG_IN, {
        email: user.email,
        password: PASSWORD,
        code: codeAt(user.secret, 1),
      });
      expect(firstError(viaTotp)?.code).toBe('UNAUTHENTICATED');
      const viaRecovery = await execute(rekeyed, LOG_IN, {
        email: user.email,
        password: PASSWORD,
        code: user.recoveryCodes[3],
      });
      expect(viaRecovery.errors).toEqual([]);
    } finally {
      await rekeyed.stop();
    }
  });
});
