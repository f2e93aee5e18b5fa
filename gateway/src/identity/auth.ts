import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ANONYMOUS, Role, type Caller } from '@terrarium/platform/caller';
import type { GatewayConfig } from '../config.js';
import type { TokenRevocations } from './token-revocations.js';

/** Clock skew tolerated on exp/nbf/iat. @default 30 s */
const CLOCK_TOLERANCE_SECONDS = 30;

const ROLES = new Set<string>(Object.values(Role));

/** The credentials are wrong: 401. */
export class AuthenticationError extends Error {}
/** The credentials cannot be checked right now (ops' JWKS or API-key check unreachable): 503, not 401. */
export class AuthUnavailableError extends Error {}

/** jose's own failures that mean "could not get the keys", not "bad token". */
function isKeySetUnavailable(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout) return true;
  // A fetch failure is not a JOSEError; a non-200 JWKS response is the generic JOSEError.
  return !(err instanceof errors.JOSEError) || err.code === 'ERR_JOSE_GENERIC';
}

export interface Authenticator {
  /** Resolves the caller from the Authorization header; throws AuthenticationError on a bad token. */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/** What the refusal of a revoked token says. */
export const REVOKED_TOKEN_MESSAGE =
  'This token was revoked (signed out, password reset or roles changed); sign in again.';

/**
 * Verifies users' JWTs against ops' JWKS: fetched on first use, cached, refetched when a token
 * names an unknown kid (jose's remote JWKS does both). Only ES256 is accepted, so `alg: none`
 * and HMAC-confusion tokens fail, as do a wrong issuer, audience or an expired token, and a token
 * ops revoked (`revocations`, held in memory: no call per request). Takes its slice of the
 * config: where the JWKS is, and what a token must say.
 */
export function createAuthenticator(
  config: Pick<GatewayConfig, 'jwksUrl' | 'jwtIssuer' | 'jwtAudience'>,
  revocations: TokenRevocations,
): Authenticator {
  const jwks: JWTVerifyGetKey | null = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : null;
  return {
    async authenticate(authorization) {
      if (!authorization) return ANONYMOUS;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <token>".');
      if (!jwks) throw new AuthenticationError('User authentication is not configured on this gateway.');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1]!, jwks, {
          algorithms: ['ES256'],
          issuer: config.jwtIssuer,
          audience: config.jwtAudience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (err) {
        if (isKeySetUnavailable(err))
          throw new AuthUnavailableError('User tokens cannot be checked right now.');
        throw new AuthenticationError('Invalid or expired token.');
      }
      const tokenId = typeof payload.jti === 'string' ? payload.jti.toLowerCase() : undefined;
      if (revocations.isRevoked({ userId: payload.sub!, tokenId, issuedAt: payload.iat }))
        throw new AuthenticationError(REVOKED_TOKEN_MESSAGE);
      const list = (value: unknown) =>
        Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
      return {
        ...ANONYMOUS,
        userId: payload.sub!,
        // Not `r in Role`: that admits inherited names such as "toString".
        roles: list(payload['roles']).filter((r): r is Role => ROLES.has(r)),
        organizationIds: list(payload['orgs']),
        // What ops' logOut revokes.
        ...(tokenId ? { tokenId, tokenExpiresAt: payload.exp! } : {}),
      };
    },
  };
}
