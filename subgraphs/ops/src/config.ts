import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '@terrarium/platform/env';

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
export function loadJwtSettings(env: NodeJS.ProcessEnv = process.env): JwtSettings {
  const problems: string[] = [];
  let privateKey: KeyObject | null = null;
  const pem = env['JWT_PRIVATE_KEY']?.replace(/\\n/g, '\n').trim();
  if (pem) {
    try {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
      if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        problems.push('JWT_PRIVATE_KEY must be an EC P-256 key (ES256)');
      }
    } catch {
      problems.push('JWT_PRIVATE_KEY is not a readable PKCS8 PEM private key');
    }
  }
  const issuer = env['JWT_ISSUER'] || 'terrarium-ops';
  const audience = env['JWT_AUDIENCE'] || 'terrarium';
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ issuer, audience, privateKey });
}
