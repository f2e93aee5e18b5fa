/**
 * How ops tells every gateway that user tokens stopped working before their expiry: one spelling
 * of the Redis names and messages for the publisher (ops' `tokens.revoked` job) and the listeners
 * (gateway/src/identity/token-revocations.ts).
 *
 * - `token`: one token (its `jti`) is revoked until its `exp` (logOut).
 * - `user`: every token of the user issued before `notBefore` is revoked (password reset, role
 *   change); ops issues later tokens with `iat >= notBefore`.
 *
 * Times are whole seconds since the epoch, as JWT claims are.
 */
export type TokenRevocation =
  { kind: 'token'; jti: string; expiresAt: number } | { kind: 'user'; userId: string; notBefore: number };

/** ops' event bus topic; the bus prefixes it with the subgraph name. */
export const TOKEN_REVOCATION_TOPIC = 'token-revoked';
/** The Redis channel gateways subscribe to (ops' event bus: `<subgraph>:<topic>`, JSON payloads). */
export const TOKEN_REVOCATION_CHANNEL = `ops:${TOKEN_REVOCATION_TOPIC}`;
/** Sorted set: member jti, score its exp. What a starting gateway loads; ops trims expired members. */
export const REVOKED_TOKENS_KEY = 'ops:revoked-tokens';
/** Sorted set: member user id, score the not-before time; members older than a token's lifetime are trimmed. */
export const TOKENS_NOT_BEFORE_KEY = 'ops:tokens-not-before';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A revocation from an untrusted wire (a Redis message, a service answer), or null when malformed. */
export function parseTokenRevocation(value: unknown): TokenRevocation | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  const seconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (
    message['kind'] === 'token' &&
    typeof message['jti'] === 'string' &&
    UUID.test(message['jti']) &&
    seconds(message['expiresAt'])
  ) {
    return { kind: 'token', jti: message['jti'].toLowerCase(), expiresAt: message['expiresAt'] };
  }
  if (
    message['kind'] === 'user' &&
    typeof message['userId'] === 'string' &&
    UUID.test(message['userId']) &&
    seconds(message['notBefore'])
  ) {
    return { kind: 'user', userId: message['userId'].toLowerCase(), notBefore: message['notBefore'] };
  }
  return null;
}
