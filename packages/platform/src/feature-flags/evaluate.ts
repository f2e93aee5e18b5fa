import { createHash } from 'node:crypto';

/** A flag as ops stores it (setFeatureFlag). */
export interface FlagDefinition {
  /** lower-kebab-case, e.g. `live-updates`. */
  key: string;
  /** Off for everyone when false, whatever the rest says. */
  enabled: boolean;
  /** Share of signed-in users (0-100) who get it; null = everyone the other rules admit. */
  rolloutPercent: number | null;
  /** When not empty, only members of one of these organizations get it. */
  organizationIds: readonly string[];
}

/** Who a flag is evaluated for: the caller's user (null when anonymous) and organizations. */
export interface FlagSubject {
  userId: string | null;
  organizationIds: readonly string[];
}

export type FlagVerdict = { enabled: boolean; reason: 'DISABLED' | 'TARGETING_MATCH' | 'SPLIT' | 'STATIC' };

/**
 * The user's bucket for a flag, 0-99: the first 32 bits of SHA-256(`<key>:<userId>`) modulo 100.
 * Stable for a user and flag on every process (no state, no randomness), independent between
 * flags (the key is hashed in), so raising a rollout from 10 to 20 % keeps the first 10 % in.
 */
export function rolloutBucket(key: string, userId: string): number {
  return createHash('sha256').update(`${key}:${userId}`).digest().readUInt32BE(0) % 100;
}

/**
 * One flag for one subject. An anonymous caller has no stable identity to hash, so a partial
 * rollout (under 100 %) and organization targeting leave them out.
 */
export function evaluateFlag(flag: FlagDefinition, subject: FlagSubject): FlagVerdict {
  if (!flag.enabled) return { enabled: false, reason: 'DISABLED' };
  if (
    flag.organizationIds.length > 0 &&
    !subject.organizationIds.some((id) => flag.organizationIds.includes(id))
  ) {
    return { enabled: false, reason: 'TARGETING_MATCH' };
  }
  if (flag.rolloutPercent === null || flag.rolloutPercent >= 100) {
    return { enabled: true, reason: flag.organizationIds.length > 0 ? 'TARGETING_MATCH' : 'STATIC' };
  }
  if (!subject.userId) return { enabled: false, reason: 'SPLIT' };
  return { enabled: rolloutBucket(flag.key, subject.userId) < flag.rolloutPercent, reason: 'SPLIT' };
}
