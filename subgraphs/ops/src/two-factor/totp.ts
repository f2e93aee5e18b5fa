import { generateSecret, generateURI, verify } from 'otplib';

/**
 * TOTP (RFC 6238) as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30 s steps. These
 * are otplib's defaults and the Key URI Format's, so the otpauth URI leaves them out.
 */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** The name authenticator apps show above the code. */
const ISSUER = 'Terrarium';
const CODE = /^\d{6}$/;

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return generateSecret();
}

/** The `otpauth://totp/...` URI an app scans from a QR code; `account` is the account's email. */
export function otpauthUri(secret: string, account: string): string {
  return generateURI({
    issuer: ISSUER,
    label: account,
    secret,
    algorithm: 'sha1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
}

/** Whether `code` has the shape of a TOTP code (else it may be a recovery code). */
export function looksLikeTotp(code: string): boolean {
  return CODE.test(code);
}

/**
 * The time step `code` belongs to when it is valid for now or one step either side (a clock off
 * by up to 30 s, a code typed as it rolled over) and later than `afterStep` (the step of the last
 * code accepted: a code works once); null otherwise.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  afterStep: number | null,
): Promise<number | null> {
  if (!looksLikeTotp(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: PERIOD_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // otplib's result type covers HOTP too; a TOTP match carries its time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
