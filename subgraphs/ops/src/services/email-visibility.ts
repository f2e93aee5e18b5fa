import { isStaff, type Caller } from '@terrarium/platform/caller';
import type { UserEntity } from '../entities/user.entity.js';

/**
 * Users who proved, in this very request, that they own the account (signUp, logIn): the caller
 * is still anonymous then, yet AuthPayload.user should show them their own email. Entities belong
 * to one request's EntityManager fork, so a WeakSet keyed by the entity is request-scoped.
 */
const provenInThisRequest = new WeakSet<UserEntity>();

export function markSignedIn(user: UserEntity): UserEntity {
  provenInThisRequest.add(user);
  return user;
}

/** An email is shown to its owner and to staff only. */
export function canSeeEmail(user: UserEntity, caller: Caller): boolean {
  return caller.userId === user.id || isStaff(caller) || provenInThisRequest.has(user);
}
