import { decodeJwt } from 'jose';
import type { Identity as RequestIdentity } from '../identity/identify.js';

/** Who subscribes, and until when their credentials hold. */
export interface Identity extends RequestIdentity {
  /** The JWT's exp in ms since the epoch; null for anonymous callers and partner keys. */
  expiresAt: number | null;
}

export type Identify = (authorization: string | undefined, apiKey: string | undefined) => Promise<RequestIdentity>;

/**
 * Identifies a subscriber exactly as a query's caller is identified (the same verifier, so the
 * same refusals), and reads the token's expiry: a subscription outliving its token ends then.
 * The token was verified by `identify`, so reading its payload here is safe.
 */
export async function identifySubscriber(identify: Identify, authorization: string | undefined, apiKey: string | undefined): Promise<Identity> {
  const identity = await identify(authorization, apiKey);
  const token = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  const exp = token && identity.caller.userId ? decodeJwt(token).exp : undefined;
  return { ...identity, expiresAt: typeof exp === 'number' ? exp * 1000 : null };
}
