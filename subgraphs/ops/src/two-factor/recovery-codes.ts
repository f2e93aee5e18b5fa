import { createHash, randomInt } from 'node:crypto';

/** How many recovery codes confirmTwoFactor hands out (each works once). */
export const RECOVERY_CODE_COUNT = 10;
/** RFC 4648 base32, lower case: no 0/1/8/9, so no O/0 or l/1 mix-ups when typed from paper. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 16 characters of 5 bits: 80 random bits, beyond brute force even against a stolen hash. */
const LENGTH = 16;
const NORMALIZED = /^[a-z2-7]{16}$/;

/** Ten fresh codes, shown as `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What a user typed, without dashes, spaces or case; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, '').toLowerCase();
  return NORMALIZED.test(code) ? code : null;
}

/** Codes carry 80 random bits, so a plain SHA-256 (hex) is enough to store them (no salt, no stretching). */
export function hashRecoveryCode(normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex');
}
