import { randomUUID } from 'node:crypto';
import type { Role } from '@terrarium/platform/caller';
import { SignJWT } from 'jose';
import { TOKEN_TTL_SECONDS, type JwtSettings } from '../settings.js';
import { JWT_ALGORITHM, type SigningKeys } from './signing-keys.js';

export interface TokenSubject {
  userId: string;
  roles: readonly Role[];
  organizationIds: readonly string[];
  /** The account's not-before time (services/sessions.ts): the token's iat is never earlier. */
  notBefore: Date | null;
}

export interface TokenIssuer {
  /** A user's JWT: sub, roles, orgs, jti, iss, aud, iat, exp (one hour); kid in the header. */
  issue(subject: TokenSubject): Promise<string>;
}

export function createTokenIssuer(keys: SigningKeys, settings: JwtSettings): TokenIssuer {
  return {
    async issue({ userId, roles, organizationIds, notBefore }) {
      const key = keys.active();
      // A not-before time is a whole second rounded up (sessions.ts), so a token issued in the
      // same second as a password reset would have iat < notBefore: it is dated at notBefore.
      const issuedAt = Math.max(
        Math.floor(Date.now() / 1000),
        notBefore ? Math.ceil(notBefore.getTime() / 1000) : 0,
      );
      return new SignJWT({ roles: [...roles], orgs: [...organizationIds] })
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setSubject(userId)
        .setJti(randomUUID())
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + TOKEN_TTL_SECONDS)
        .sign(key.privateKey);
    },
  };
}
