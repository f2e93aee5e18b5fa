import type { Role } from '@terrarium/platform/caller';
import { SignJWT } from 'jose';
import { TOKEN_TTL_SECONDS, type JwtSettings } from '../settings.js';
import { JWT_ALGORITHM, type SigningKeys } from './signing-keys.js';

export interface TokenSubject {
  userId: string;
  roles: readonly Role[];
  organizationIds: readonly string[];
}

export interface TokenIssuer {
  /** A user's JWT: sub, roles, orgs, iss, aud, iat, exp (one hour); kid in the header. */
  issue(subject: TokenSubject): Promise<string>;
}

export function createTokenIssuer(keys: SigningKeys, settings: JwtSettings): TokenIssuer {
  return {
    async issue({ userId, roles, organizationIds }) {
      const key = keys.active();
      return new SignJWT({ roles: [...roles], orgs: [...organizationIds] })
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
        .sign(key.privateKey);
    },
  };
}
