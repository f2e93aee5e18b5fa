/**
 * Feature flags in ops: staff set them (validated, audited with before and after), everyone gets
 * them evaluated through OpenFeature (a stable per-user split, organization targeting, anonymous
 * callers), services read the definitions, and a change is announced on Redis after commit.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { FEATURE_FLAGS_CHANNEL } from '@terrarium/platform/feature-flags';
import { createRedisClient } from '@terrarium/platform/redis';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData, firstError, serviceCaller } from '@terrarium/subgraph-kit/testing';
import { asUser, em, startOps, type Ops } from './helpers.js';

const SET = /* GraphQL */ `
  mutation ($input: FeatureFlagInput!) {
    setFeatureFlag(input: $input) {
      key
      enabled
      rolloutPercent
      organizations {
        id
      }
      updatedAt
    }
  }
`;
const MY_FLAGS = '{ featureFlags { key enabled } }';
const redisUrl = process.env['REDIS_URL'];
// A Redis is shared by runs: flag keys of this run's own.
const run_ = `${Date.now().toString(36)}-${randomInt(1e6)}`;
const staff = asUser(randomUUID(), ['STAFF']);

let ops: Ops;
let organization: string;
beforeAll(async () => {
  ops = await startOps('ops_test_feature_flags');
  const created = await expectData<{ createOrganization: { id: string } }>(
    ops,
    'mutation { createOrganization(input: { name: "Flag Farm", slug: "flag-farm" }) { id } }',
    {},
    staff,
  );
  organization = created.createOrganization.id;
});
afterAll(() => ops?.stop());

const setFlag = (input: Record<string, unknown>, caller = staff) =>
  execute<{
    setFeatureFlag: {
      key: string;
      enabled: boolean;
      rolloutPercent: number | null;
      organizations: { id: string }[];
    };
  }>(ops, SET, { input }, caller);

/** Whether `key` is on for each caller, evaluated by ops' featureFlags. */
async function enabledFor(key: string, callers: ReturnType<typeof asUser>[]): Promise<boolean[]> {
  const answers = await Promise.all(
    callers.map((caller) =>
      expectData<{ featureFlags: { key: string; enabled: boolean }[] }>(ops, MY_FLAGS, {}, caller),
    ),
  );
  return answers.map(({ featureFlags }) => featureFlags.find((flag) => flag.key === key)?.enabled ?? false);
}

describe('ops: feature flags', () => {
  it('lets staff only set a flag, and checks every field', async () => {
    expect(firstError(await setFlag({ key: `f-${run_}`, enabled: true }, ANONYMOUS))?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      firstError(await setFlag({ key: `f-${run_}`, enabled: true }, asUser(randomUUID(), ['BREEDER'])))?.code,
    ).toBe('FORBIDDEN');
    expect(firstError(await setFlag({ key: 'Bad Key', enabled: true }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'key',
    });
    expect(firstError(await setFlag({ key: `f-${run_}`, enabled: true, rolloutPercent: 101 }))).toMatchObject(
      {
        code: 'BAD_USER_INPUT',
        field: 'rolloutPercent',
      },
    );
    expect(
      firstError(await setFlag({ key: `f-${run_}`, enabled: true, organizationIds: ['nope'] })),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'organizationIds',
    });
    expect(
      firstError(await setFlag({ key: `f-${run_}`, enabled: true, organizationIds: [randomUUID()] })),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'organizationIds',
    });
    expect(await em(ops).execute('select 1 from feature_flag where key = ?', [`f-${run_}`])).toHaveLength(0);
  });

  it('creates and replaces a flag, auditing what it was and what it became', async () => {
    const key = `audited-${run_}`;
    const created = await setFlag({ key, enabled: true, rolloutPercent: 10 });
    expect(created.data?.setFeatureFlag).toMatchObject({
      key,
      enabled: true,
      rolloutPercent: 10,
      organizations: [],
    });
    const replaced = await setFlag({ key, enabled: false, organizationIds: [organization] });
    expect(replaced.data?.setFeatureFlag).toMatchObject({
      key,
      enabled: false,
      rolloutPercent: null,
      organizations: [{ id: organization }],
    });
    const audit = await em(ops).execute<{ action: string; actor_id: string; diff: unknown }[]>(
      `select action, actor_id, diff from audit_log where subject = ? order by created_at`,
      [`FeatureFlag:${key}`],
    );
    expect(audit).toEqual([
      {
        action: 'setFeatureFlag',
        actor_id: staff.userId,
        diff: { before: null, after: { enabled: true, rolloutPercent: 10, organizationIds: [] } },
      },
      {
        action: 'setFeatureFlag',
        actor_id: staff.userId,
        diff: {
          before: { enabled: true, rolloutPercent: 10, organizationIds: [] },
          after: { enabled: false, rolloutPercent: null, organizationIds: [organization] },
        },
      },
    ]);
    const settings = await expectData<{ featureFlagSettings: { key: string }[] }>(
      ops,
      '{ featureFlagSettings { key enabled } }',
      {},
      staff,
    );
    expect(settings.featureFlagSettings).toContainEqual({ key, enabled: false });
  });

  it('splits a 50 % flag for about half of 1,000 users, the same way every time, and keeps them in when it grows', async () => {
    const key = `half-${run_}`;
    await expectData(ops, SET, { input: { key, enabled: true, rolloutPercent: 50 } }, staff);
    const users = Array.from({ length: 1_000 }, (_, i) => asUser(seedId(`flag-user:${i}`)));
    const first = await enabledFor(key, users);
    const count = first.filter(Boolean).length;
    // Binomial(1000, 0.5): sd 16, so 450-550 is over three of them; the ids are fixed, so is the count.
    expect(count).toBeGreaterThan(450);
    expect(count).toBeLessThan(550);
    expect(await enabledFor(key, users)).toEqual(first);
    await expectData(ops, SET, { input: { key, enabled: true, rolloutPercent: 60 } }, staff);
    const grown = await enabledFor(key, users);
    expect(first.every((on, i) => !on || grown[i])).toBe(true);
    expect(grown.filter(Boolean).length).toBeGreaterThan(count);
    // Anonymous callers have nothing to hash: a partial rollout leaves them out.
    expect(await enabledFor(key, [ANONYMOUS as ReturnType<typeof asUser>])).toEqual([false]);
  });

  it('targets members of the listed organizations only', async () => {
    const key = `members-${run_}`;
    await expectData(ops, SET, { input: { key, enabled: true, organizationIds: [organization] } }, staff);
    const member = asUser(randomUUID(), ['BREEDER'], [organization]);
    const outsider = asUser(randomUUID(), ['BREEDER'], [randomUUID()]);
    expect(
      await enabledFor(key, [member, outsider, asUser(randomUUID()), ANONYMOUS as ReturnType<typeof asUser>]),
    ).toEqual([true, false, false, false]);
  });

  it('gives anonymous callers a flag on for everyone, and nothing of a flag that is off', async () => {
    const [on, off] = [`everyone-${run_}`, `nobody-${run_}`];
    await expectData(ops, SET, { input: { key: on, enabled: true } }, staff);
    await expectData(ops, SET, { input: { key: off, enabled: false } }, staff);
    expect(await enabledFor(on, [ANONYMOUS as ReturnType<typeof asUser>])).toEqual([true]);
    expect(await enabledFor(off, [ANONYMOUS as ReturnType<typeof asUser>, asUser(randomUUID())])).toEqual([
      false,
      false,
    ]);
  });

  it('serves the definitions to services only', async () => {
    const QUERY = '{ featureFlagDefinitions { key enabled rolloutPercent organizationIds } }';
    expect(firstError(await execute(ops, QUERY, {}, staff))?.code).toBe('FORBIDDEN');
    const { featureFlagDefinitions } = await expectData<{ featureFlagDefinitions: { key: string }[] }>(
      ops,
      QUERY,
      {},
      serviceCaller('gateway'),
    );
    expect(featureFlagDefinitions).toContainEqual({
      key: `members-${run_}`,
      enabled: true,
      rolloutPercent: null,
      organizationIds: [organization],
    });
  });

  it.skipIf(!redisUrl)('announces a committed change on ops:feature-flags-changed', async () => {
    const key = `announced-${run_}`;
    const subscriber = createRedisClient(redisUrl!);
    const heard: unknown[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(JSON.parse(message)));
    await subscriber.subscribe(FEATURE_FLAGS_CHANNEL);
    try {
      await expectData(ops, SET, { input: { key, enabled: true } }, staff);
      const deadline = Date.now() + 10_000;
      while (!heard.some((m) => (m as { key: string }).key === key) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heard).toContainEqual({ key });
    } finally {
      await subscriber.quit();
    }
  });
});
