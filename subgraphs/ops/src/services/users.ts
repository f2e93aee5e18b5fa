import { UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import { requireStaff, type Role } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError, NotFoundError, UnauthenticatedError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { User, type UserEntity } from '../entities/user.entity.js';
import type { SignUpInput } from '../generated/resolvers.js';
import { recordAudit } from './audit.js';
import { markSignedIn } from './email-visibility.js';
import type { LoginLimits } from './login-limits.js';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password.js';
import { canonicalRoles } from './roles.js';
import type { TokenIssuer } from './tokens.js';
import { validEmail, validId, validPassword, validText } from './validation.js';

export interface AuthResult {
  token: string;
  user: UserEntity;
}

/** One message for an unknown email and a wrong password, so that log-in does not reveal accounts. */
const INVALID_CREDENTIALS = 'Invalid email or password.';

export async function signIn(ctx: Context, tokens: TokenIssuer, user: UserEntity): Promise<AuthResult> {
  const memberships = await ctx.loaders.membershipsOfUser.load(user.id);
  const token = await tokens.issue({ userId: user.id, roles: user.roles, organizationIds: memberships.map((m) => m.organizationId) });
  return { token, user: markSignedIn(user) };
}

/** A new KEEPER account. The unique index on lower(email) decides between concurrent sign-ups. */
export async function signUp(ctx: Context, tokens: TokenIssuer, input: SignUpInput): Promise<AuthResult> {
  const email = validEmail(input.email);
  const password = validPassword(input.password);
  const displayName = validText(input.displayName, 'displayName', 'The display name', 1, 80);
  const user = ctx.em.create(User, { email, displayName, passwordHash: await hashPassword(password), roles: ['KEEPER'] });
  try {
    await ctx.em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new ConflictError('An account with this email already exists.');
    throw err;
  }
  return signIn(ctx, tokens, user);
}

export async function findUserByEmail(ctx: Context, email: string): Promise<UserEntity | null> {
  return ctx.em.findOne(User, { [raw('lower(email)')]: email.trim().toLowerCase() });
}

/**
 * Past the failed-attempt limit of the account or the client IP, RATE_LIMITED before anything is
 * looked up, so a known and an unknown account get the same answer there too.
 */
export async function logIn(ctx: Context, tokens: TokenIssuer, limits: LoginLimits, email: string, password: string): Promise<AuthResult> {
  await limits.check(email, ctx.caller.clientIp);
  const user = await findUserByEmail(ctx, email);
  // Same work whether or not the account exists: the timing must not tell either.
  const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  if (!user || !valid) {
    await limits.recordFailure(email, ctx.caller.clientIp);
    throw new UnauthenticatedError(INVALID_CREDENTIALS);
  }
  await limits.recordSuccess(email);
  return signIn(ctx, tokens, user);
}

/** Staff only. Roles travel in the JWT, so a change takes effect at the user's next sign-in. */
export async function setUserRoles(ctx: Context, userId: string, roles: readonly Role[]): Promise<UserEntity> {
  requireStaff(ctx.caller);
  const id = validId(userId, 'userId');
  const wanted = canonicalRoles(roles);
  if (wanted.length === 0) throw new BadUserInputError('A user needs at least one role.', 'roles');
  if (id === ctx.caller.userId && !wanted.includes('STAFF')) {
    throw new BadUserInputError('You cannot remove your own STAFF role; ask another staff member.', 'roles');
  }
  return ctx.em.transactional(async (tx) => {
    const user = await tx.findOne(User, id);
    if (!user) throw new NotFoundError('User');
    user.roles = wanted;
    recordAudit(tx, { action: 'setUserRoles', actorId: ctx.caller.userId, subject: `User:${id} roles=${wanted.join(',')}`, source: 'ops' });
    return user;
  });
}
