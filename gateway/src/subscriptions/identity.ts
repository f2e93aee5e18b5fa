import { decodeJwt } from 'jose';
import type { Identity as RequestIdentity } from '../identity/identify.js';

/** Who subscribes, and until when their credentials hold. */
export interface Identity extends RequestIdentity {
  /** The JWT's exp in ms since the epoch; null for anonymous callers and partner keys. */
  expiresAt: number | null;
  /** The JWT's iat in seconds since the epoch (a revocation by not-before time compares it); null as above. */
  issuedAt: number | null;
}

export type Identify = (
  authorization: string | undefined,
  apiKey: string | undefined,
) => Promise<RequestIdentity>;

/**
 * Identifies a subscriber exactly as a query's caller is identified (the same verifier, so the
 * same refusals), and reads the token's expiry and issue time: a subscription outliving its token
 * ends then, and one whose token is revoked ends when the revocation arrives. The token was
 * verified by `identify`, so reading its payload here is safe.
 */
export async function identifySubscriber(
  identify: Identify,
  authorization: string | undefined,
  apiKey: string | undefined,
): Promise<Identity> {
  const identity = await identify(authorization, apiKey);
  const token = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  const { exp, iat } = token && identity.caller.userId ? decodeJwt(token) : {};
  return {
    ...identity,
    expiresAt: typeof exp === 'number' ? exp * 1000 : null,
    issuedAt: typeof iat === 'number' ? iat : null,
  };
}
