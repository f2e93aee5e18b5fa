import { UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import { requireStaff, type Role } from '@terrarium/platform/caller';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
} from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { User, type UserEntity } from '../entities/user.entity.js';
import type { SignUpInput } from '../generated/resolvers.js';
import { verifySecondFactor } from '../two-factor/two-factor.service.js';
import type { AccountDeps } from './account-deps.js';
import { recordAudit } from './audit.js';
import { markSignedIn } from './email-visibility.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password.js';
import { canonicalRoles } from './roles.js';
import { revokeAllTokens } from './sessions.js';
import { validEmail, validId, validPassword, validText } from './validation.js';

export interface AuthResult {
  token: string;
  user: UserEntity;
  /** Roles of the account its token does not carry until two-factor sign-in is on (REQUIRE_2FA_ROLES). */
  withheldRoles: Role[];
}

/** One message for an unknown email and a wrong password, so that log-in does not reveal accounts. */
const INVALID_CREDENTIALS = 'Invalid email or password.';

/**
 * The token for a user who proved who they are. An account holding a role of REQUIRE_2FA_ROLES
 * without two-factor sign-in gets a token without that role (it can still turn two-factor on,
 * and gets the role at its next log-in with a code): privileged operations stay refused, the
 * rest of the account works.
 */
export async function signIn(
  ctx: Context,
  { tokens, twoFactor }: Pick<AccountDeps, 'tokens' | 'twoFactor'>,
  user: UserEntity,
): Promise<AuthResult> {
  const [memberships, second] = await Promise.all([
    ctx.loaders.membershipsOfUser.load(user.id),
    ctx.loaders.twoFactor.load(user.id),
  ]);
  const withheldRoles = second?.enabledAt
    ? []
    : user.roles.filter((role) => twoFactor.requiredRoles.includes(role));
  const token = await tokens.issue({
    userId: user.id,
    roles: user.roles.filter((role) => !withheldRoles.includes(role)),
    organizationIds: memberships.map((m) => m.organizationId),
    notBefore: user.tokensNotBefore ?? null,
  });
  return { token, user: markSignedIn(user), withheldRoles };
}

/** A new KEEPER account. The unique index on lower(email) decides between concurrent sign-ups. */
export async function signUp(ctx: Context, deps: AccountDeps, input: SignUpInput): Promise<AuthResult> {
  const email = validEmail(input.email);
  const password = validPassword(input.password);
  const displayName = validText(input.displayName, 'displayName', 'The display name', 1, 80);
  const user = ctx.em.create(User, {
    email,
    displayName,
    passwordHash: await hashPassword(password),
    roles: ['KEEPER'],
  });
  try {
    await ctx.em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      throw new ConflictError('An account with this email already exists.');
    throw err;
  }
  return signIn(ctx, deps, user);
}

export async function findUserByEmail(ctx: Context, email: string): Promise<UserEntity | null> {
  return ctx.em.findOne(User, { [raw('lower(email)')]: email.trim().toLowerCase() });
}

/**
 * Past the failed-attempt limit of the account or the client IP, RATE_LIMITED before anything is
 * looked up, so a known and an unknown account get the same answer there too. With two-factor
 * sign-in on, the right password alone answers UNAUTHENTICATED with `twoFactorRequired`; `code`
 * (TOTP or recovery) completes it. A code sent for an account without it is ignored.
 */
export async function logIn(
  ctx: Context,
  deps: AccountDeps,
  email: string,
  password: string,
  code?: string | null,
): Promise<AuthResult> {
  const { limits } = deps;
  await limits.check(email, ctx.caller.clientIp);
  const user = await findUserByEmail(ctx, email);
  // Same work whether or not the account exists: the timing must not tell either.
  const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  if (!user || !valid) {
    await limits.recordFailure(email, ctx.caller.clientIp);
    throw new UnauthenticatedError(INVALID_CREDENTIALS);
  }
  const second = await ctx.loaders.twoFactor.load(user.id);
  if (second?.enabledAt) await verifySecondFactor(ctx, deps, second, code);
  await limits.recordSuccess(email);
  return signIn(ctx, deps, user);
}

/**
 * Staff only, audited. Roles travel in the JWT, so a change revokes the user's tokens (on every
 * gateway within seconds): the new roles apply from their next sign-in, and removed ones at once.
 */
export async function setUserRoles(
  ctx: Context,
  userId: string,
  roles: readonly Role[],
): Promise<UserEntity> {
  requireStaff(ctx.caller);
  const id = validId(userId, 'userId');
  const wanted = canonicalRoles(roles);
  if (wanted.length === 0) throw new BadUserInputError('A user needs at least one role.', 'roles');
  if (id === ctx.caller.userId && !wanted.includes('STAFF')) {
    throw new BadUserInputError('You cannot remove your own STAFF role; ask another staff member.', 'roles');
  }
  const updated = await ctx.em.transactional(async (tx) => {
    const user = await tx.findOne(User, id);
    if (!user) throw new NotFoundError('User');
    user.roles = wanted;
    recordAudit(tx, {
      action: 'setUserRoles',
      actorId: ctx.caller.userId,
      subject: `User:${id} roles=${wanted.join(',')}`,
      source: 'ops',
    });
    await revokeAllTokens(tx, ctx.jobs, user);
    return user;
  });
  return updated;
}
