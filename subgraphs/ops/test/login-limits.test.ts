/**
 * The brute-force brake: failed log-ins are limited per account and per client IP, with the same
 * answers for an unknown account as for a known one. Runs on Redis when REDIS_URL is set (the
 * counters every ops instance shares), and once more on the in-memory counters.
 */
import { randomInt } from 'node:crypto';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, firstError } from '@terrarium/subgraph-kit/testing';
import { LOG_IN, SIGN_UP, startOps, type AuthData, type Ops } from './helpers.js';

const PASSWORD = 'correct horse battery';
const LIMITS = {
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '10',
  LOGIN_MAX_FAILURES_PER_IP: '30',
  LOGIN_FAILURE_WINDOW_SECONDS: '900',
};

// A Redis keeps its counters across runs: every run uses accounts and addresses of its own.
const run_ = `${Date.now()}-${randomInt(1e6)}`;
const ip = () => `198.18.${randomInt(256)}.${randomInt(1, 255)}`;

for (const store of process.env['REDIS_URL'] ? (['redis', 'memory'] as const) : (['memory'] as const)) {
  describe(`ops: failed log-in limits (${store})`, () => {
    let ops: Ops;
    beforeAll(async () => {
      ops = await startOps(`ops_test_login_limits_${store}`, {
        ...LIMITS,
        ...(store === 'memory' ? { REDIS_URL: '' } : {}),
      });
    });
    afterAll(() => ops.stop());

    const logIn = (email: string, password: string, clientIp?: string) =>
      execute<{ logIn: AuthData }>(
        ops,
        LOG_IN,
        { email, password },
        clientIp ? { ...ANONYMOUS, clientIp } : ANONYMOUS,
      );

    /** 50 wrong passwords in a row: the error of each, without the retry delay (it counts down). */
    async function fiftyWrongPasswords(email: string) {
      const answers = [];
      for (let i = 0; i < 50; i += 1) {
        const result = await logIn(email, `wrong password ${i}`);
        expect(result.data).toBeNull();
        answers.push(result.errors?.[0]);
      }
      return answers;
    }

    it('answers the first 10 wrong passwords for an account, then refuses with RATE_LIMITED and retryAfterSeconds', async () => {
      const email = `brute-${store}-${run_}@example.test`;
      const signUp = await execute<{ signUp: AuthData }>(ops, SIGN_UP, {
        input: { email, password: PASSWORD, displayName: 'Target' },
      });
      expect(signUp.errors).toEqual([]);

      const answers = await fiftyWrongPasswords(email);
      expect(answers.slice(0, 10).map((e) => e?.extensions?.['code'])).toEqual(
        Array(10).fill('UNAUTHENTICATED'),
      );
      const refused = answers.slice(10);
      expect(refused.map((e) => e?.extensions?.['code'])).toEqual(Array(40).fill('RATE_LIMITED'));
      for (const error of refused) {
        expect(error?.extensions?.['retryAfterSeconds']).toBeGreaterThan(0);
        expect(error?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(900);
        expect(error?.message).toMatch(/^Too many attempts; retry in \d+ s\.$/);
      }
      // The right password does not slip through while the account is braked.
      expect(firstError(await logIn(email.toUpperCase(), PASSWORD))?.code).toBe('RATE_LIMITED');
    }, 120_000);

    it('gives an unknown account exactly the same answers', async () => {
      const known = `known-${store}-${run_}@example.test`;
      await execute(ops, SIGN_UP, { input: { email: known, password: PASSWORD, displayName: 'Known' } });
      const strip = (e: { message: string; extensions?: Record<string, unknown> } | undefined) => ({
        message: e?.message.replace(/\d+ s/, 'N s'),
        code: e?.extensions?.['code'],
      });
      const knownAnswers = (await fiftyWrongPasswords(known)).map(strip);
      const unknownAnswers = (await fiftyWrongPasswords(`nobody-${store}-${run_}@example.test`)).map(strip);
      expect(unknownAnswers).toEqual(knownAnswers);
      expect(new Set(knownAnswers.map((a) => a.code))).toEqual(new Set(['UNAUTHENTICATED', 'RATE_LIMITED']));
    }, 120_000);

    it('limits failures per client IP across accounts, and only for that IP', async () => {
      const attacker = ip();
      const codes = [];
      for (let i = 0; i < 35; i += 1)
        codes.push(
          firstError(await logIn(`spray-${i}-${store}-${run_}@example.test`, 'wrong password', attacker))
            ?.code,
        );
      expect(codes.slice(0, 30)).toEqual(Array(30).fill('UNAUTHENTICATED'));
      expect(codes.slice(30)).toEqual(Array(5).fill('RATE_LIMITED'));
      // Another address is not affected, and neither is a successful log-in's account counter.
      expect(
        firstError(await logIn(`spray-0-${store}-${run_}@example.test`, 'wrong password', ip()))?.code,
      ).toBe('UNAUTHENTICATED');
    }, 120_000);

    it("clears an account's count on a successful log-in", async () => {
      const email = `forgetful-${store}-${run_}@example.test`;
      await execute(ops, SIGN_UP, { input: { email, password: PASSWORD, displayName: 'Forgetful' } });
      for (let i = 0; i < 9; i += 1)
        expect(firstError(await logIn(email, 'wrong password'))?.code).toBe('UNAUTHENTICATED');
      expect((await logIn(email, PASSWORD)).errors).toEqual([]);
      for (let i = 0; i < 9; i += 1)
        expect(firstError(await logIn(email, 'wrong password'))?.code).toBe('UNAUTHENTICATED');
    }, 60_000);
  });
}
