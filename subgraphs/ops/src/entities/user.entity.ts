import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Role } from '@terrarium/platform/caller';

/** An account. Table `user_account`: `user` is reserved in Postgres. */
export const User = defineEntity({
  name: 'User',
  tableName: 'user_account',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    /** As typed at sign-up; uniqueness is on lower(email). */
    email: p.text(),
    displayName: p.text(),
    /** scrypt$N$r$p$salt$hash (services/password.ts). Not in the GraphQL schema; hidden from serialization. */
    passwordHash: p.text().hidden(),
    roles: p.array<Role>(),
    /** Tokens issued before this are revoked (password reset, role change); later ones have iat >= it. */
    tokensNotBefore: p.datetime(3).nullable(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type UserEntity = InferEntity<typeof User>;
