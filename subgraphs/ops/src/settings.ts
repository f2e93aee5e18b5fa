import { createPrivateKey, type KeyObject } from 'node:crypto';
import { isRole, type Role } from '@terrarium/platform/caller';
import { createEnvReader, type Env } from '@terrarium/platform/env';

/** How long a user's JWT is valid. @default 3_600 s (one hour) */
export const TOKEN_TTL_SECONDS = 3_600;

/** ops' own settings beside the kit's SubgraphConfig. */
export interface JwtSettings {
  /** `iss` of issued tokens. @default "terrarium-ops" */
  issuer: string;
  /** `aud` of issued tokens. @default "terrarium" */
  audience: string;
  /** An ES256 (P-256) private key from JWT_PRIVATE_KEY; null = generate one and keep it in Postgres. */
  privateKey: KeyObject | null;
}

/**
 * Reads JWT_ISSUER, JWT_AUDIENCE and JWT_PRIVATE_KEY (PKCS8 PEM; `\n` escapes are accepted, since
 * env files cannot hold newlines). Lists every problem at once.
 */
export function loadJwtSettings(env: Env = process.env): JwtSettings {
  const read = createEnvReader(env);
  let privateKey: KeyObject | null = null;
  const pem = read.string('JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n').trim();
  if (pem) {
    try {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
      if (
        privateKey.asymmetricKeyType !== 'ec' ||
        privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
      ) {
        read.problem('JWT_PRIVATE_KEY must be an EC P-256 key (ES256)');
      }
    } catch {
      read.problem('JWT_PRIVATE_KEY is not a readable PKCS8 PEM private key');
    }
  }
  const issuer = read.string('JWT_ISSUER') ?? 'terrarium-ops';
  const audience = read.string('JWT_AUDIENCE') ?? 'terrarium';
  read.done();
  return Object.freeze({ issuer, audience, privateKey });
}

/** Failed log-in limits (services/login-limits.ts). */
export interface LoginLimitSettings {
  /** Failed log-ins per account (email) per window. @default 10 */
  maxFailuresPerAccount: number;
  /** Failed log-ins per client IP per window (many accounts from one address). @default 100 */
  maxFailuresPerIp: number;
  /** Wrong two-factor codes (TOTP or recovery) per account per window. @default 5 */
  maxCodeFailuresPerAccount: number;
  /** The counting window, and how long a limit holds once reached. @default 900 s */
  windowSeconds: number;
}

/** Reads LOGIN_MAX_FAILURES_PER_ACCOUNT, LOGIN_MAX_FAILURES_PER_IP, LOGIN_MAX_CODE_FAILURES and LOGIN_FAILURE_WINDOW_SECONDS. */
export function loadLoginLimitSettings(env: Env = process.env): LoginLimitSettings {
  const read = createEnvReader(env);
  const settings = {
    maxFailuresPerAccount: read.integer('LOGIN_MAX_FAILURES_PER_ACCOUNT', 10, 1),
    maxFailuresPerIp: read.integer('LOGIN_MAX_FAILURES_PER_IP', 100, 1),
    maxCodeFailuresPerAccount: read.integer('LOGIN_MAX_CODE_FAILURES', 5, 1),
    windowSeconds: read.integer('LOGIN_FAILURE_WINDOW_SECONDS', 900, 1),
  };
  read.done();
  return Object.freeze(settings);
}

/** How long a password reset link works. @default 30 min */
export const PASSWORD_RESET_TTL_MINUTES = 30;

/** Password reset requests (services/password-reset.ts). */
export interface PasswordResetSettings {
  /** The page a reset mail links to; `?token=<token>` is appended. PASSWORD_RESET_URL. @default http://localhost:4000/reset-password */
  resetUrl: string;
  /** Reset requests per address per window, whether or not the account exists. @default 3 */
  maxRequestsPerAddress: number;
  /** The counting window. @default 3_600 s */
  windowSeconds: number;
}

/** Reads PASSWORD_RESET_URL, PASSWORD_RESET_MAX_PER_ADDRESS and PASSWORD_RESET_WINDOW_SECONDS. */
export function loadPasswordResetSettings(env: Env = process.env): PasswordResetSettings {
  const read = createEnvReader(env);
  const resetUrl = read.string('PASSWORD_RESET_URL') ?? 'http://localhost:4000/reset-password';
  if (!URL.canParse(resetUrl)) read.problem(`PASSWORD_RESET_URL must be an absolute URL, got "${resetUrl}"`);
  const settings = {
    resetUrl,
    maxRequestsPerAddress: read.integer('PASSWORD_RESET_MAX_PER_ADDRESS', 3, 1),
    windowSeconds: read.integer('PASSWORD_RESET_WINDOW_SECONDS', 3_600, 1),
  };
  read.done();
  return Object.freeze(settings);
}

/** Two-factor sign-in (two-factor/). */
export interface TwoFactorSettings {
  /**
   * What TOTP secrets are encrypted with at rest (TOTP_ENCRYPTION_KEY, at least 32 characters).
   * @default INTERNAL_SECRET; a key of its own lets INTERNAL_SECRET rotate without leaving every
   * two-factor account to its recovery codes.
   */
  encryptionKey: string;
  /**
   * REQUIRE_2FA_ROLES (comma-separated, e.g. "STAFF"): an account holding one of these roles gets
   * tokens without them until it turns two-factor sign-in on. @default none
   */
  requiredRoles: readonly Role[];
}

/** Reads TOTP_ENCRYPTION_KEY (falling back to `internalSecret`) and REQUIRE_2FA_ROLES. */
export function loadTwoFactorSettings(internalSecret: string, env: Env = process.env): TwoFactorSettings {
  const read = createEnvReader(env);
  const key = read.string('TOTP_ENCRYPTION_KEY') ?? internalSecret;
  if (key.length < 32) read.problem('TOTP_ENCRYPTION_KEY must be at least 32 characters');
  const requiredRoles: Role[] = [];
  for (const name of (read.string('REQUIRE_2FA_ROLES') ?? '')
    .split(',')
    .map((role) => role.trim().toUpperCase())
    .filter(Boolean)) {
    if (isRole(name)) requiredRoles.push(name);
    else read.problem(`REQUIRE_2FA_ROLES lists "${name}", which is not a role (STAFF, BREEDER, KEEPER)`);
  }
  read.done();
  return Object.freeze({ encryptionKey: key, requiredRoles: Object.freeze(requiredRoles) });
}
