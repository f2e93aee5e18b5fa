/**
 * Accounts a marketplace can trust, through two real gateway processes sharing Redis, in front of
 * real ops, products and inventory: two-factor sign-in (with and without a code, a replayed code,
 * recovery codes), log-out and password reset refused by every gateway within 5 s (a live
 * subscription ends too), and feature flags (staff only, a stable 50 % of 1,000 users on both
 * gateways, organization targeting, the live-updates flag seen by both gateways within 5 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  earlyInStep,
  refusedAfter,
  resetTokenFromMail,
  signingKey,
  tokenMinter,
  totpCode,
} from './support/accounts.js';
import {
  bearer,
  contractOperation,
  gql,
  logIn,
  startPlatform,
  type GraphQLResponse,
  type Platform,
} from './support/platform.js';
import { subscribeSse } from './support/subscriptions.js';

const redisUrl = process.env['REDIS_URL'];
const PASSWORD = 'a-long-enough-password';
const run_ = Date.now().toString(36);
const ME = '{ me { id } }';
const STOCK = 'subscription ($id: ID!) { stockChanged(productId: $id) { stock { available } } }';
const PRODUCT = seedId('product:TR-HEAT-100');
const SUNSET_REPTILES = seedId('org:sunset-reptiles');
const pem = signingKey();
let mailDir: string;
let platform: Platform;
let gateways: [string, string];
let staff: Record<string, string>;

async function signUp(name: string): Promise<{ email: string; token: string; userId: string }> {
  const email = `${name}-${run_}@example.com`;
  const { body } = await gql(gateways[0], contractOperation('storefront', 'SignUp'), {
    input: { email, password: PASSWORD, displayName: name },
  });
  expect(body.errors).toBeUndefined();
  return { email, token: body.data.signUp.token, userId: body.data.signUp.user.id };
}

const revoked = ({ status, body }: GraphQLResponse) =>
  status === 401 &&
  body.errors?.[0]?.extensions?.['code'] === 'UNAUTHENTICATED' &&
  /revoked/.test(body.errors[0].message);

describe.skipIf(!redisUrl)('accounts through the gateways', () => {
  beforeAll(async () => {
    mailDir = mkdtempSync(join(tmpdir(), 'terrarium-accounts-mail-'));
    platform = await startPlatform({
      subgraphs: ['ops', 'products', 'inventory', 'community'],
      env: { SMTP_URL: '', MAIL_DIR: mailDir, JWT_PRIVATE_KEY: pem },
    });
    const second = await platform.startGateway();
    gateways = [platform.gatewayUrl, second.url];
    staff = bearer(await logIn(platform.gatewayUrl, 'admin@terrarium.test'));
  }, 180_000);
  afterAll(async () => {
    await platform?.stop();
    if (mailDir) rmSync(mailDir, { recursive: true, force: true });
  });

  describe('two-factor sign-in', () => {
    it('turns on with a code, then logIn asks for one, takes it once, and takes a recovery code once', async () => {
      const { email, token } = await signUp('tess');
      const started = await gql(
        gateways[0],
        contractOperation('storefront', 'StartTwoFactor'),
        {},
        bearer(token),
      );
      expect(started.body.errors).toBeUndefined();
      const { secret, otpauthUri } = started.body.data.startTwoFactor;
      expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Terrarium:/);
      await earlyInStep();
      const confirmed = await gql(
        gateways[0],
        contractOperation('storefront', 'ConfirmTwoFactor'),
        { code: totpCode(secret) },
        bearer(token),
      );
      expect(confirmed.body.errors).toBeUndefined();
      const recoveryCodes: string[] = confirmed.body.data.confirmTwoFactor.recoveryCodes;
      expect(recoveryCodes).toHaveLength(10);

      // Without a code: UNAUTHENTICATED with twoFactorRequired, through the gateway's error filter.
      const withoutCode = await gql(gateways[1], contractOperation('storefront', 'LogIn'), {
        email,
        password: PASSWORD,
      });
      expect(withoutCode.body.data).toBeNull();
      expect(withoutCode.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        twoFactorRequired: true,
      });

      const WITH_CODE = contractOperation('storefront', 'LogInWithCode');
      const code = totpCode(secret, 1);
      const withCode = await gql(gateways[1], WITH_CODE, { email, password: PASSWORD, code });
      expect(withCode.body.errors).toBeUndefined();
      expect(withCode.body.data.logIn.user).toMatchObject({ email, roles: ['KEEPER'] });
      expect((await gql(gateways[0], ME, {}, bearer(withCode.body.data.logIn.token))).body.data.me).toEqual({
        id: withCode.body.data.logIn.user.id,
      });

      const replayed = await gql(gateways[0], WITH_CODE, { email, password: PASSWORD, code });
      expect(replayed.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        twoFactorRequired: true,
      });

      const recovered = await gql(gateways[0], WITH_CODE, {
        email,
        password: PASSWORD,
        code: recoveryCodes[0],
      });
      expect(recovered.body.errors).toBeUndefined();
      expect(recovered.body.data.logIn.token).toEqual(expect.any(String));
      const reused = await gql(gateways[1], WITH_CODE, { email, password: PASSWORD, code: recoveryCodes[0] });
      expect(reused.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }, 60_000);
  });

  describe('log-out that sticks', () => {
    it('refuses a logged-out token on the other gateway within 5 s; the same user signed in elsewhere stays in', async () => {
      const { email, token, userId } = await signUp('lou');
      const elsewhere = await logIn(gateways[0], email, PASSWORD);
      for (const url of gateways) expect((await gql(url, ME, {}, bearer(token))).status).toBe(200);

      const loggedOut = Date.now();
      const answer = await gql(gateways[0], contractOperation('storefront', 'LogOut'), {}, bearer(token));
      expect(answer.body).toEqual({ data: { logOut: true } });
      const second = await refusedAfter(gateways[1], ME, bearer(token), revoked, loggedOut);
      const first = await refusedAfter(gateways[0], ME, bearer(token), revoked, loggedOut);
      expect(Math.max(first, second)).toBeLessThan(5_000);
      const refusal = await gql(gateways[1], ME, {}, bearer(token));
      expect(refusal.body.errors?.[0]?.message).toBe(
        'This token was revoked (signed out, password reset or roles changed); sign in again.',
      );
      for (const url of gateways)
        expect((await gql(url, ME, {}, bearer(elsewhere))).body.data.me).toEqual({ id: userId });
    });

    it('refuses a token logged out before a gateway started: it loads the revocations from Redis', async () => {
      const { token } = await signUp('max');
      await gql(gateways[0], contractOperation('storefront', 'LogOut'), {}, bearer(token));
      await refusedAfter(gateways[0], ME, bearer(token), revoked, Date.now());
      const late = await platform.startGateway();
      try {
        // Its very first answer: nothing to wait for.
        expect(revoked(await gql(late.url, ME, {}, bearer(token)))).toBe(true);
      } finally {
        await late.stop();
      }
    }, 60_000);

    it('signs every session out on every gateway when the password is reset; the new token works', async () => {
      const { email, token } = await signUp('rey');
      const other = await logIn(gateways[1], email, PASSWORD);
      expect(
        (await gql(gateways[0], contractOperation('storefront', 'RequestPasswordReset'), { email })).body
          .errors,
      ).toBeUndefined();
      const resetToken = await resetTokenFromMail(mailDir, email);
      const resetAt = Date.now();
      const reset = await gql(gateways[0], contractOperation('storefront', 'ResetPassword'), {
        token: resetToken,
        password: 'a-brand-new-password',
      });
      expect(reset.body.errors).toBeUndefined();
      for (const url of gateways) {
        for (const old of [token, other])
          expect(await refusedAfter(url, ME, bearer(old), revoked, resetAt)).toBeLessThan(5_000);
        expect((await gql(url, ME, {}, bearer(reset.body.data.resetPassword.token))).body.data.me).toEqual({
          id: reset.body.data.resetPassword.user.id,
        });
      }
    }, 60_000);

    it('ends a live subscription of the token when it logs out', async () => {
      const { token } = await signUp('sol');
      const live = await subscribeSse(gateways[1], STOCK, { id: PRODUCT }, bearer(token));
      expect(live.response.status).toBe(200);
      try {
        const loggedOut = Date.now();
        await gql(gateways[0], contractOperation('storefront', 'LogOut'), {}, bearer(token));
        await live.until((r) => r.ended, 5_000, 'the subscription to end');
        expect(Date.now() - loggedOut).toBeLessThan(5_000);
        expect(live.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({
          code: 'UNAUTHENTICATED',
          reason: 'token_revoked',
        });
      } finally {
        live.close();
      }
    });
  });

  describe('feature flags', () => {
    const SET = contractOperation('admin', 'SetFeatureFlag');
    const MY_FLAGS = contractOperation('storefront', 'MyFlags');
    const flagOf = (answer: GraphQLResponse, key: string): boolean =>
      answer.body.data.featureFlags.find((f: { key: string }) => f.key === key)?.enabled ?? false;

    it('may be set by staff only', async () => {
      const keeper = bearer(await logIn(gateways[0], 'keeper@terrarium.test'));
      const refused = await gql(gateways[0], SET, { input: { key: `nope-${run_}`, enabled: true } }, keeper);
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await gql(gateways[0], SET, { input: { key: `nope-${run_}`, enabled: true } })).status).toBe(
        401,
      );
      const { body } = await gql(gateways[0], MY_FLAGS);
      expect(body.data.featureFlags.map((f: { key: string }) => f.key)).not.toContain(`nope-${run_}`);
    });

    it('at 50 % is on for about half of 1,000 users, the same ones on both gateways and on every ask', async () => {
      const key = `half-${run_}`;
      const set = await gql(gateways[0], SET, { input: { key, enabled: true, rolloutPercent: 50 } }, staff);
      expect(set.body.data.setFeatureFlag).toEqual({
        key,
        enabled: true,
        rolloutPercent: 50,
        organizations: [],
      });
      const mint = await tokenMinter(platform.subgraphUrls['ops']!, pem);
      const tokens = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => mint(seedId(`synthetic-user:${i}`))),
      );
      const ask = async (url: string) => {
        const answers: boolean[] = [];
        for (let i = 0; i < tokens.length; i += 25) {
          const batch = await Promise.all(
            tokens.slice(i, i + 25).map((token) => gql(url, MY_FLAGS, {}, bearer(token))),
          );
          answers.push(...batch.map((answer) => flagOf(answer, key)));
        }
        return answers;
      };
      const first = await ask(gateways[0]);
      const enabled = first.filter(Boolean).length;
      expect(enabled).toBeGreaterThan(450);
      expect(enabled).toBeLessThan(550);
      expect(await ask(gateways[1])).toEqual(first);
      expect(decodeJwt(tokens[0]!).sub).toBe(seedId('synthetic-user:0'));
    }, 120_000);

    it('targets the members of an organization', async () => {
      const key = `sunset-only-${run_}`;
      const set = await gql(
        gateways[0],
        SET,
        { input: { key, enabled: true, organizationIds: [SUNSET_REPTILES] } },
        staff,
      );
      expect(set.body.data.setFeatureFlag.organizations).toEqual([{ id: SUNSET_REPTILES }]);
      const breeder = bearer(await logIn(gateways[0], 'breeder@terrarium.test'));
      const otherBreeder = bearer(await logIn(gateways[0], 'desert@terrarium.test'));
      expect(flagOf(await gql(gateways[1], MY_FLAGS, {}, breeder), key)).toBe(true);
      expect(flagOf(await gql(gateways[1], MY_FLAGS, {}, otherBreeder), key)).toBe(false);
      expect(flagOf(await gql(gateways[1], MY_FLAGS), key)).toBe(false);
    });

    it('switches live updates off on both gateways within 5 s, and back on', async () => {
      /**
       * What a new stock subscription gets: `<status> <reason>` when it is refused before it
       * starts (answered as a POST would be), `live` once a stock change arrives as data.
       */
      const outcome = async (url: string): Promise<string> => {
        const live = await subscribeSse(url, STOCK, { id: PRODUCT }, staff);
        if (!live.response.ok) {
          const { errors } = (await live.response.json()) as {
            errors: { extensions?: { reason?: string } }[];
          };
          return `${live.response.status} ${errors[0]?.extensions?.reason}`;
        }
        try {
          for (let i = 0; i < 10 && live.results.length === 0 && !live.ended; i += 1) {
            await gql(
              url,
              contractOperation('admin', 'AdjustStock'),
              { productId: PRODUCT, delta: 1, reason: 'live-updates flag test' },
              staff,
            );
            await live.until((r) => r.results.length > 0 || r.ended, 300).catch(() => undefined);
          }
          const first = live.results[0];
          return first?.data ? 'live' : String(first?.errors?.[0]?.extensions?.['reason'] ?? 'nothing');
        } finally {
          live.close();
        }
      };
      for (const url of gateways) expect(await outcome(url)).toBe('live');

      for (const [enabled, expected] of [
        [false, '403 feature_disabled'],
        [true, 'live'],
      ] as const) {
        const changed = Date.now();
        expect(
          (await gql(gateways[0], SET, { input: { key: 'live-updates', enabled } }, staff)).body.errors,
        ).toBeUndefined();
        for (const url of gateways) {
          while ((await outcome(url)) !== expected) {
            if (Date.now() - changed > 5_000)
              throw new Error(`${url} did not see live-updates = ${enabled} within 5 s`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        expect(Date.now() - changed).toBeLessThan(5_000);
      }
    }, 60_000);
  });
});
