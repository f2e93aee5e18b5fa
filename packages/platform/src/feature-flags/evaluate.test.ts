import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evaluateFlag, rolloutBucket, type FlagDefinition } from './evaluate.js';

const users = Array.from({ length: 10_000 }, () => randomUUID());
const flag = (changes: Partial<FlagDefinition> = {}): FlagDefinition => ({
  key: 'new-checkout',
  enabled: true,
  rolloutPercent: null,
  organizationIds: [],
  ...changes,
});
const share = (definition: FlagDefinition) =>
  users.filter((userId) => evaluateFlag(definition, { userId, organizationIds: [] }).enabled).length /
  users.length;

describe('feature flag evaluation', () => {
  it('puts each user in a bucket 0-99 that depends on the user and the flag only', () => {
    const buckets = users.map((userId) => rolloutBucket('new-checkout', userId));
    expect(buckets.every((b) => Number.isInteger(b) && b >= 0 && b < 100)).toBe(true);
    expect(users.map((userId) => rolloutBucket('new-checkout', userId))).toEqual(buckets);
    // Evenly spread: each tenth of the buckets holds about a tenth of the users (sd 0.3 %).
    for (let tenth = 0; tenth < 10; tenth += 1) {
      const inTenth = buckets.filter((b) => Math.floor(b / 10) === tenth).length / users.length;
      expect(inTenth).toBeGreaterThan(0.085);
      expect(inTenth).toBeLessThan(0.115);
    }
  });

  it('rolls a percentage out to about that share of users, growing without dropping anyone', () => {
    expect(share(flag({ rolloutPercent: 0 }))).toBe(0);
    expect(share(flag({ rolloutPercent: 25 }))).toBeCloseTo(0.25, 1);
    expect(share(flag({ rolloutPercent: 100 }))).toBe(1);
    const at = (percent: number) =>
      new Set(
        users.filter(
          (userId) =>
            evaluateFlag(flag({ rolloutPercent: percent }), { userId, organizationIds: [] }).enabled,
        ),
      );
    const [small, large] = [at(20), at(40)];
    expect([...small].every((userId) => large.has(userId))).toBe(true);
  });

  it('splits two flags independently: half and half is about a quarter in both', () => {
    const both = users.filter(
      (userId) =>
        evaluateFlag(flag({ key: 'a-flag', rolloutPercent: 50 }), { userId, organizationIds: [] }).enabled &&
        evaluateFlag(flag({ key: 'b-flag', rolloutPercent: 50 }), { userId, organizationIds: [] }).enabled,
    ).length;
    expect(both / users.length).toBeCloseTo(0.25, 1);
  });

  it('is off for everyone when disabled, whatever else it says', () => {
    expect(share(flag({ enabled: false }))).toBe(0);
    expect(
      evaluateFlag(flag({ enabled: false, organizationIds: ['org-1'] }), {
        userId: users[0]!,
        organizationIds: ['org-1'],
      }),
    ).toEqual({
      enabled: false,
      reason: 'DISABLED',
    });
  });

  it('targets organization members, then applies the rollout among them', () => {
    const targeted = flag({ organizationIds: ['org-1', 'org-2'] });
    expect(evaluateFlag(targeted, { userId: users[0]!, organizationIds: ['org-9', 'org-2'] }).enabled).toBe(
      true,
    );
    expect(evaluateFlag(targeted, { userId: users[0]!, organizationIds: ['org-9'] }).enabled).toBe(false);
    expect(evaluateFlag(targeted, { userId: null, organizationIds: [] }).enabled).toBe(false);
    const members = users.map(
      (userId) =>
        evaluateFlag(flag({ organizationIds: ['org-1'], rolloutPercent: 50 }), {
          userId,
          organizationIds: ['org-1'],
        }).enabled,
    );
    expect(members.filter(Boolean).length / users.length).toBeCloseTo(0.5, 1);
  });

  it('gives anonymous callers a flag on for everyone, never a partial rollout', () => {
    expect(evaluateFlag(flag(), { userId: null, organizationIds: [] }).enabled).toBe(true);
    expect(evaluateFlag(flag({ rolloutPercent: 99 }), { userId: null, organizationIds: [] }).enabled).toBe(
      false,
    );
  });
});
