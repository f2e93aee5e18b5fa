import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireService, requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import type { FlagDefinition } from '@terrarium/platform/feature-flags';
import type { Context } from '../context.js';
import { FeatureFlag, type FeatureFlagEntity } from '../entities/feature-flag.entity.js';
import { Organization } from '../entities/organization.entity.js';
import type { FeatureFlagInput } from '../generated/resolvers.js';
import { recordAudit } from './audit.js';
import { featureFlagsChangedJob } from './feature-flags-changed.job.js';
import { validId } from './validation.js';

const KEY = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Targeting a flag at more organizations than this is a list, not a flag. */
const MAX_ORGANIZATIONS = 100;

function validInput(
  input: FeatureFlagInput,
): Omit<FlagDefinition, 'organizationIds'> & { organizationIds: string[] } {
  const key = input.key.trim();
  if (key.length < 2 || key.length > 60 || !KEY.test(key)) {
    throw new BadUserInputError(
      'A flag key is 2 to 60 lower-case letters, digits and single hyphens, e.g. "live-updates".',
      'key',
    );
  }
  const percent = input.rolloutPercent ?? null;
  if (percent !== null && (!Number.isInteger(percent) || percent < 0 || percent > 100)) {
    throw new BadUserInputError(
      'rolloutPercent is a whole number from 0 to 100 (or null for everyone).',
      'rolloutPercent',
    );
  }
  const organizationIds = [
    ...new Set((input.organizationIds ?? []).map((id) => validId(id, 'organizationIds'))),
  ];
  if (organizationIds.length > MAX_ORGANIZATIONS)
    throw new BadUserInputError(`At most ${MAX_ORGANIZATIONS} organizations.`, 'organizationIds');
  return { key, enabled: input.enabled, rolloutPercent: percent, organizationIds };
}

/**
 * Staff only, audited (the change and what it was before). Creates or replaces the flag; the
 * `feature-flags.changed` job, committed with it, tells every process evaluating flags.
 */
export async function setFeatureFlag(ctx: Context, input: FeatureFlagInput): Promise<FeatureFlagEntity> {
  requireStaff(ctx.caller);
  const wanted = validInput(input);
  const known = await ctx.em.count(Organization, { id: { $in: wanted.organizationIds } });
  if (known !== wanted.organizationIds.length)
    throw new BadUserInputError(
      'organizationIds names an organization that does not exist.',
      'organizationIds',
    );
  const flag = await ctx.em
    .transactional(async (tx) => {
      const existing = await tx.findOne(FeatureFlag, wanted.key);
      const before = existing && {
        enabled: existing.enabled,
        rolloutPercent: existing.rolloutPercent ?? null,
        organizationIds: [...existing.organizationIds],
      };
      const values = { ...wanted, updatedBy: ctx.caller.userId };
      const row = existing ? tx.assign(existing, values) : tx.create(FeatureFlag, values);
      recordAudit(tx, {
        action: 'setFeatureFlag',
        actorId: ctx.caller.userId,
        subject: `FeatureFlag:${wanted.key}`,
        source: 'ops',
        diff: {
          before,
          after: {
            enabled: wanted.enabled,
            rolloutPercent: wanted.rolloutPercent,
            organizationIds: wanted.organizationIds,
          },
        },
      });
      await tx.flush();
      await ctx.jobs.enqueue(tx, featureFlagsChangedJob, { key: wanted.key });
      return row;
    })
    .catch((err: unknown) => {
      // Two staff members creating the same flag at once: the primary key lets one win.
      if (err instanceof UniqueConstraintViolationException)
        throw new ConflictError(`The flag "${wanted.key}" was just created by someone else; try again.`);
      throw err;
    });
  // This process answers from its own cache too: drop it now rather than when the message is back.
  ctx.flags.invalidate();
  return flag;
}

/** Staff only: every flag, by key. */
export async function listFeatureFlags(ctx: Context): Promise<FeatureFlagEntity[]> {
  requireStaff(ctx.caller);
  return ctx.em.find(FeatureFlag, {}, { orderBy: { key: 'asc' } });
}

/** Every flag as the evaluators read it: ops' own FlagCache, and (through featureFlagDefinitions) the other services'. */
export async function readFlagDefinitions(em: EntityManager): Promise<FlagDefinition[]> {
  const rows = await em.find(FeatureFlag, {}, { orderBy: { key: 'asc' } });
  return rows.map((row) => ({
    key: row.key,
    enabled: row.enabled,
    rolloutPercent: row.rolloutPercent ?? null,
    organizationIds: [...row.organizationIds],
  }));
}

/** Internal (services only): the definitions, for the gateway's and the subgraphs' evaluators. */
export async function featureFlagDefinitions(ctx: Context): Promise<FlagDefinition[]> {
  requireService(ctx.caller);
  return readFlagDefinitions(ctx.em);
}

/** Every flag, evaluated for the caller (anonymous too) through OpenFeature. */
export function evaluatedFeatureFlags(ctx: Context): Promise<{ key: string; enabled: boolean }[]> {
  return ctx.flags.evaluateAll(ctx.caller);
}
