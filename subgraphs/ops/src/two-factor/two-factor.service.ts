import { requireUser } from '@terrarium/platform/caller';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
} from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { TwoFactor, type TwoFactorEntity } from '../entities/two-factor.entity.js';
import { recordAudit } from '../services/audit.js';
import { open, seal } from '../services/key-encryption.js';
import type { AccountDeps } from '../services/account-deps.js';
import type { TwoFactorSettings } from '../settings.js';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { looksLikeTotp, newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

type TwoFactorDeps = Pick<AccountDeps, 'twoFactor' | 'limits'>;

const ALREADY_ON = 'Two-factor sign-in is already on for this account.';

/** The secret in the clear, or null when it was sealed under another TOTP_ENCRYPTION_KEY. */
function secretOf(row: TwoFactorEntity, settings: TwoFactorSettings): string | null {
  return open(row.secret, row.userId, settings.encryptionKey, 'totp-secret-encryption');
}

/**
 * Step one: a fresh secret for the signed-in user, stored sealed and pending until confirmed.
 * Starting again before confirming replaces the pending secret; once confirmed, CONFLICT.
 */
export async function startTwoFactor(
  ctx: Context,
  { twoFactor: settings }: TwoFactorDeps,
): Promise<{ secret: string; otpauthUri: string }> {
  const userId = requireUser(ctx.caller);
  const user = await ctx.loaders.user.load(userId);
  if (!user) throw new NotFoundError('User');
  const secret = newTotpSecret();
  // The condition on enabled_at makes a concurrent confirmation win: then nothing is replaced.
  const stored = await ctx.em.execute<{ user_id: string }[]>(
    `insert into two_factor (user_id, secret) values (?, ?)
     on conflict (user_id) do update set secret = excluded.secret, last_used_step = null, created_at = now() where two_factor.enabled_at is null
     returning user_id`,
    [userId, seal(secret, userId, settings.encryptionKey, 'totp-secret-encryption')],
  );
  if (stored.length === 0) throw new ConflictError(ALREADY_ON);
  return { secret, otpauthUri: otpauthUri(secret, user.email) };
}

/**
 * Step two: a valid current code turns two-factor sign-in on (audited) and answers ten recovery
 * codes, shown only here; their SHA-256 is stored. The code's step counts as used, so the same
 * code cannot then sign in.
 */
export async function confirmTwoFactor(
  ctx: Context,
  { twoFactor: settings, limits }: TwoFactorDeps,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  const userId = requireUser(ctx.caller);
  await limits.checkCode(userId);
  const row = await ctx.em.findOne(TwoFactor, userId);
  if (row?.enabledAt) throw new ConflictError(ALREADY_ON);
  const secret = row && secretOf(row, settings);
  if (!row || !secret)
    throw new BadUserInputError(
      'Start two-factor sign-in first (startTwoFactor), then confirm it with a code.',
      'code',
    );
  const step = await verifyTotp(secret, code.trim(), null);
  if (step === null) {
    await limits.recordCodeFailure(userId);
    throw new BadUserInputError(
      'This code is not valid: enter the current 6-digit code (and check the device clock).',
      'code',
    );
  }
  const recoveryCodes = newRecoveryCodes();
  await ctx.em.transactional(async (tx) => {
    const enabled = await tx.execute(
      `update two_factor set enabled_at = now(), last_used_step = ? where user_id = ? and enabled_at is null returning user_id`,
      [step, userId],
    );
    if (enabled.length === 0) throw new ConflictError(ALREADY_ON);
    await tx.execute('delete from recovery_code where user_id = ?', [userId]);
    for (const recovery of recoveryCodes) {
      await tx.execute('insert into recovery_code (user_id, code_hash) values (?, ?)', [
        userId,
        hashRecoveryCode(normalizeRecoveryCode(recovery)!),
      ]);
    }
    recordAudit(tx, { action: 'enableTwoFactor', actorId: userId, subject: `User:${userId}`, source: 'ops' });
  });
  // twoFactorEnabled, as the user's own cached entries show it.
  ctx.entityChanges.changed('User', userId);
  await limits.recordCodeSuccess(userId);
  return { recoveryCodes };
}

/**
 * logIn's second step, for an account whose two-factor sign-in is on (the password is already
 * verified): no code is UNAUTHENTICATED with `twoFactorRequired`; a wrong or replayed code too,
 * counted against the account's budget of wrong codes (RATE_LIMITED past it).
 */
export async function verifySecondFactor(
  ctx: Context,
  { twoFactor: settings, limits }: TwoFactorDeps,
  row: TwoFactorEntity,
  code: string | null | undefined,
): Promise<void> {
  const typed = code?.trim() ?? '';
  if (!typed)
    throw new UnauthenticatedError('Enter the code from your authenticator app, or a recovery code.', {
      twoFactorRequired: true,
    });
  await limits.checkCode(row.userId);
  const accepted = looksLikeTotp(typed)
    ? await acceptTotp(ctx, settings, row, typed)
    : await acceptRecoveryCode(ctx, row.userId, typed);
  if (!accepted) {
    await limits.recordCodeFailure(row.userId);
    throw new UnauthenticatedError('This two-factor code is not valid or was already used.', {
      twoFactorRequired: true,
    });
  }
  await limits.recordCodeSuccess(row.userId);
}

/** A valid code for a step after the last one used; the conditional UPDATE lets one of two concurrent uses win. */
async function acceptTotp(
  ctx: Context,
  settings: TwoFactorSettings,
  row: TwoFactorEntity,
  code: string,
): Promise<boolean> {
  const secret = secretOf(row, settings);
  if (!secret) {
    ctx.logger.error(
      { userId: row.userId },
      'a TOTP secret cannot be decrypted (TOTP_ENCRYPTION_KEY changed?); only recovery codes work for this account',
    );
    return false;
  }
  const step = await verifyTotp(secret, code, row.lastUsedStep ?? null);
  if (step === null) return false;
  const used = await ctx.em.execute(
    `update two_factor set last_used_step = ? where user_id = ? and (last_used_step is null or last_used_step < ?) returning user_id`,
    [step, row.userId, step],
  );
  return used.length === 1;
}

/** Spends an unused recovery code of this account (single use, by one conditional UPDATE). */
async function acceptRecoveryCode(ctx: Context, userId: string, typed: string): Promise<boolean> {
  const normalized = normalizeRecoveryCode(typed);
  if (!normalized) return false;
  const spent = await ctx.em.execute(
    `update recovery_code set used_at = now() where user_id = ? and code_hash = ? and used_at is null returning id`,
    [userId, hashRecoveryCode(normalized)],
  );
  return spent.length === 1;
}
