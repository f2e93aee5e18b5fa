import { createHash, randomBytes } from 'node:crypto';
import { BadUserInputError } from '@terrarium/platform/errors';
import { PASSWORD_RESET_TTL_MINUTES, type PasswordResetSettings } from '../settings.js';
import type { Context } from '../context.js';
import { PasswordResetToken } from '../entities/password-reset-token.entity.js';
import { User } from '../entities/user.entity.js';
import { enqueueMail } from '../mail/mail.job.js';
import type { AccountDeps } from './account-deps.js';
import { hashPassword } from './password.js';
import type { PasswordResetLimits } from './password-reset-limits.js';
import { revokeAllTokens } from './sessions.js';
import { findUserByEmail, signIn, type AuthResult } from './users.js';
import { validEmail, validPassword } from './validation.js';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_BYTES = 32;
const INVALID_TOKEN = 'This password reset link is invalid, already used or expired; ask for a new one.';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Always true for a well-formed address: an unknown account gets the same answer (and the same
 * rate limit), it just gets no mail. The token row and its mail job commit together (the outbox),
 * so a mail is never sent for a token that does not exist, nor a token left without its mail.
 */
export async function requestPasswordReset(
  ctx: Context,
  settings: PasswordResetSettings,
  limits: PasswordResetLimits,
  rawEmail: string,
): Promise<boolean> {
  const email = validEmail(rawEmail);
  await limits.consume(email);
  const user = await findUserByEmail(ctx, email);
  if (!user) return true;
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await ctx.em.transactional(async (tx) => {
    const row = tx.create(PasswordResetToken, {
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MINUTES * 60_000),
    });
    await tx.flush();
    const resetUrl = new URL(settings.resetUrl);
    resetUrl.searchParams.set('token', token);
    await enqueueMail(ctx.jobs, tx, {
      to: user.email,
      idempotencyKey: `password-reset:${row.id}`,
      template: 'password-reset',
      data: { resetUrl: resetUrl.toString(), expiresInMinutes: PASSWORD_RESET_TTL_MINUTES },
    });
  });
  return true;
}

/**
 * Consumes the token with one conditional UPDATE, so two concurrent uses cannot both win; the
 * user's other outstanding reset tokens are spent too, every session token issued before is
 * revoked (whoever knew the old password is signed out everywhere), and the log-in brake on the
 * account is lifted. Two-factor sign-in stays on: the answer is a token without the roles
 * REQUIRE_2FA_ROLES withholds only when the account never had it.
 */
export async function resetPassword(
  ctx: Context,
  deps: AccountDeps,
  token: string,
  rawPassword: string,
): Promise<AuthResult> {
  const password = validPassword(rawPassword);
  if (token.length === 0 || token.length > 128) throw new BadUserInputError(INVALID_TOKEN, 'token');
  const passwordHash = await hashPassword(password);
  const user = await ctx.em.transactional(async (tx) => {
    const used = await tx.execute<{ user_id: string }[]>(
      `update password_reset_token set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning user_id`,
      [hashToken(token)],
    );
    const userId = used[0]?.user_id;
    if (!userId) throw new BadUserInputError(INVALID_TOKEN, 'token');
    await tx.execute(
      `update password_reset_token set used_at = now() where user_id = ? and used_at is null`,
      [userId],
    );
    const found = await tx.findOneOrFail(User, userId);
    found.passwordHash = passwordHash;
    await revokeAllTokens(tx, ctx.jobs, found);
    return found;
  });
  await deps.limits.recordSuccess(user.email);
  return signIn(ctx, deps, user);
}
