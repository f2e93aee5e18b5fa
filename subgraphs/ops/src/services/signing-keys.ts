import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Logger } from 'pino';
import { TOKEN_TTL_SECONDS, type JwtSettings } from '../settings.js';
import { SigningKey } from '../entities/signing-key.entity.js';
import { open, seal } from './key-encryption.js';

export const JWT_ALGORITHM = 'ES256';

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface SigningKeys {
  /** Loads (or creates, once across all instances) the key; call after migrations. */
  load(orm: Orm, logger: Logger): Promise<void>;
  /** The key tokens are signed with now. */
  active(): ActiveKey;
  /** Public keys a verifier should accept: the active one and any retired within a token's lifetime. */
  jwks(em: EntityManager): Promise<{ keys: JWK[] }>;
}

/** The public half as a JWK; kid is its RFC 7638 thumbprint, so the same key always has the same kid. */
async function describe(privateKey: KeyObject): Promise<ActiveKey> {
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x!, y: y! });
  return { kid, privateKey, publicJwk: { kty, crv, x, y, kid, alg: JWT_ALGORITHM, use: 'sig' } };
}

async function insertGenerated(em: EntityManager, secret: string): Promise<void> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = await describe(privateKey);
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // A concurrent start may have inserted its own key first: the one-active index makes ours a no-op.
  await em.execute(
    `insert into signing_key (kid, algorithm, public_jwk, private_key, active) values (?, ?, ?, ?, true) on conflict do nothing`,
    [
      key.kid,
      JWT_ALGORITHM,
      JSON.stringify(key.publicJwk),
      seal(pem, key.kid, secret, 'signing-key-encryption'),
    ],
  );
}

async function loadOrCreate(orm: Orm, secret: string, logger: Logger): Promise<ActiveKey> {
  // Three rounds cover: nothing stored -> insert -> read back (ours or a concurrent winner's).
  for (let round = 0; round < 3; round += 1) {
    const em = orm.em.fork() as EntityManager;
    const row = await em.findOne(SigningKey, { active: true });
    if (!row) {
      await insertGenerated(em, secret);
      continue;
    }
    const pem = open(row.privateKey, row.kid, secret, 'signing-key-encryption');
    if (pem) return { kid: row.kid, privateKey: createPrivateKey(pem), publicJwk: row.publicJwk };
    // INTERNAL_SECRET changed since the key was made: retire it (its public key stays in the JWKS
    // for a token's lifetime) and make a new one.
    logger.warn({ kid: row.kid }, 'stored signing key cannot be decrypted with INTERNAL_SECRET; rotating it');
    await em.nativeUpdate(SigningKey, { id: row.id, active: true }, { active: false, retiredAt: new Date() });
  }
  throw new Error('Could not load or create a JWT signing key.');
}

/**
 * The JWT signing key: JWT_PRIVATE_KEY when set, else one generated on first start and kept
 * (encrypted) in the signing_key table, shared by every ops instance.
 */
export function createSigningKeys(settings: JwtSettings, secret: string): SigningKeys {
  let current: ActiveKey | undefined;
  const active = (): ActiveKey => {
    if (!current) throw new Error('The signing key is not loaded yet.');
    return current;
  };
  return {
    async load(orm, logger) {
      current = settings.privateKey
        ? await describe(settings.privateKey)
        : await loadOrCreate(orm, secret, logger);
      logger.info(
        { kid: current.kid, source: settings.privateKey ? 'JWT_PRIVATE_KEY' : 'database' },
        'JWT signing key loaded',
      );
    },
    active,
    async jwks(em) {
      if (settings.privateKey) return { keys: [active().publicJwk] };
      const since = new Date(Date.now() - TOKEN_TTL_SECONDS * 1000);
      const rows = await em.find(
        SigningKey,
        { $or: [{ active: true }, { retiredAt: { $gt: since } }] },
        { orderBy: { createdAt: 'desc' } },
      );
      return { keys: rows.map((row) => row.publicJwk) };
    },
  };
}
