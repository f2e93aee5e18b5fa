import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { ForbiddenError, UnauthenticatedError } from './errors.js';

/**
 * The verified caller of an operation. The gateway verifies the user's JWT or partner key and
 * forwards this to subgraphs as a short-lived token signed with the internal secret
 * (`x-terrarium-caller`); subgraphs trust nothing else, so identity headers set by an outsider
 * who reaches a subgraph directly are refused. Services (commerce calling inventory) sign their
 * own token with `service` set.
 */
export interface Caller {
  userId: string | null;
  roles: readonly Role[];
  /** Organizations the user is a member of (breeders act for these). */
  organizationIds: readonly string[];
  apiClientId: string | null;
  scopes: readonly string[];
  service: string | null;
  /**
   * The end client's IP as the gateway saw it (after its trusted-proxy rule), for per-IP limits in
   * subgraphs (failed log-ins). Absent when the gateway did not send it.
   */
  clientIp?: string;
  /**
   * The `jti` of the user's JWT this request carries, and its `exp` (seconds since the epoch): what
   * ops' logOut revokes. Absent for anonymous callers, partners and services.
   */
  tokenId?: string;
  tokenExpiresAt?: number;
}

export const Role = { STAFF: 'STAFF', BREEDER: 'BREEDER', KEEPER: 'KEEPER' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export function isRole(value: string): value is Role {
  return (Object.values(Role) as string[]).includes(value);
}

export const ANONYMOUS: Caller = Object.freeze({
  userId: null,
  roles: [],
  organizationIds: [],
  apiClientId: null,
  scopes: [],
  service: null,
});

export const CALLER_HEADER = 'x-terrarium-caller';
const AUDIENCE = 'terrarium-subgraphs';
/** A caller token lives long enough for one request's fan-out. @default 60 s */
const CALLER_TOKEN_TTL_SECONDS = 60;

/**
 * The HMAC key of each secret, imported into WebCrypto once: given the secret's bytes, jose would
 * import them again on every sign and verify.
 */
const hmacKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function key(secret: string): Promise<webcrypto.CryptoKey> {
  let imported = hmacKeys.get(secret);
  if (!imported) {
    imported = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    hmacKeys.set(secret, imported);
  }
  return imported;
}

/** Verified tokens kept per secret. @default 10_000 */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Tokens verified lately, per secret, each until its `exp`. The gateway reuses a caller's token
 * for 30 s (gateway/src/identity/caller-tokens.ts), so a subgraph sees the same token on many
 * requests, and a WebCrypto HMAC verification was about a tenth of a subgraph request's CPU
 * (`node --cpu-prof`, products serving ProductPage's fetch). The key is the whole token, signature
 * included: only a token that verified under this secret is ever found.
 */
const verifiedTokens = new Map<string, LRUCache<string, Caller>>();
function verifiedUnder(secret: string): LRUCache<string, Caller> {
  let cache = verifiedTokens.get(secret);
  if (!cache) {
    cache = new LRUCache<string, Caller>({ max: MAX_VERIFIED_TOKENS, ttlAutopurge: false });
    verifiedTokens.set(secret, cache);
  }
  return cache;
}

export async function signCaller(
  caller: Caller,
  secret: string,
  issuer = 'terrarium-gateway',
): Promise<string> {
  return new SignJWT({
    roles: caller.roles,
    orgs: caller.organizationIds,
    client: caller.apiClientId,
    scopes: caller.scopes,
    svc: caller.service,
    ...(caller.clientIp ? { ip: caller.clientIp } : {}),
    ...(caller.tokenId ? { tid: caller.tokenId, texp: caller.tokenExpiresAt } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(caller.userId ?? '')
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${CALLER_TOKEN_TTL_SECONDS}s`)
    .sign(await key(secret));
}

/** Verifies a caller token; throws UnauthenticatedError for anything not signed with `secret`. */
export async function verifyCaller(token: string | undefined, secret: string): Promise<Caller> {
  if (!token) throw new UnauthenticatedError('Subgraphs accept requests only through the gateway.');
  const verified = verifiedUnder(secret);
  const known = verified.get(token);
  if (known) return known;
  try {
    const { payload } = await jwtVerify(token, await key(secret), {
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const strings = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    // Own values only: `'toString' in Role` is true through the prototype.
    const roles = strings(payload['roles']).filter(isRole);
    const caller: Caller = Object.freeze({
      userId: payload.sub ? payload.sub : null,
      roles,
      organizationIds: strings(payload['orgs']),
      apiClientId: typeof payload['client'] === 'string' ? payload['client'] : null,
      scopes: strings(payload['scopes']),
      service: typeof payload['svc'] === 'string' ? payload['svc'] : null,
      ...(typeof payload['ip'] === 'string' && payload['ip'] ? { clientIp: payload['ip'] } : {}),
      ...(typeof payload['tid'] === 'string' && typeof payload['texp'] === 'number'
        ? { tokenId: payload['tid'], tokenExpiresAt: payload['texp'] }
        : {}),
    });
    // jwtVerify checked exp; the entry goes when the token would stop verifying.
    const ttl = typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : 0;
    if (ttl > 0) verified.set(token, caller, { ttl });
    return caller;
  } catch {
    throw new UnauthenticatedError(
      'Invalid caller token: subgraphs accept requests only through the gateway.',
    );
  }
}

export function isStaff(caller: Caller): boolean {
  return caller.roles.includes(Role.STAFF);
}

/** The signed-in user's id, or UNAUTHENTICATED. */
export function requireUser(caller: Caller): string {
  if (!caller.userId) throw new UnauthenticatedError();
  return caller.userId;
}

export function requireStaff(caller: Caller): void {
  requireUser(caller);
  if (!isStaff(caller)) throw new ForbiddenError('Staff only.');
}

/** Staff, or a member of `organizationId`; others get FORBIDDEN. */
export function requireOrganizationMember(caller: Caller, organizationId: string): void {
  requireUser(caller);
  if (!isStaff(caller) && !caller.organizationIds.includes(organizationId)) {
    throw new ForbiddenError('Only members of this organization may change it.');
  }
}

/** Internal, service-to-service operations (checkout reserving stock) accept only services. */
export function requireService(caller: Caller, ...allowed: string[]): string {
  if (!caller.service || (allowed.length > 0 && !allowed.includes(caller.service))) {
    throw new ForbiddenError('Internal operation: services only.');
  }
  return caller.service;
}
