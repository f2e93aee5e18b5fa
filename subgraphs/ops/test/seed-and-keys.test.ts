import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@terrarium/platform/env';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import pg from 'pg';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadJwtSettings } from '../src/settings.js';
import { DEMO_PASSWORD } from '../src/seed/index.js';
import { createSigningKeys } from '../src/services/signing-keys.js';
import { execute } from '@terrarium/subgraph-kit/testing';
import { LOG_IN, SIGN_UP, em, startOps, type AuthData, type Ops } from './helpers.js';

async function jwksOf(ops: Ops): Promise<JSONWebKeySet> {
  const url = await ops.listen(0);
  return (await (await fetch(url.replace('/graphql', '/.well-known/jwks.json'))).json()) as JSONWebKeySet;
}

/**
 * The kit's migrate() runs `create schema if not exists` before its advisory lock, and two
 * concurrent CREATE SCHEMA IF NOT EXISTS can fail in Postgres (pg_namespace unique index). Until
 * the kit takes the lock first, tests that start instances concurrently create the schema first.
 */
async function createSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

async function counts(ops: Ops): Promise<Record<string, number>> {
  const [row] = await em(ops).execute<Record<string, number>[]>(
    `select (select count(*)::int from user_account) as users, (select count(*)::int from organization) as organizations,
            (select count(*)::int from organization_member) as members, (select count(*)::int from signing_key) as keys`,
  );
  return row!;
}

describe('ops: demo seed and signing keys', () => {
  const started: Ops[] = [];
  const start = async (...args: Parameters<typeof startOps>) => {
    const ops = await startOps(...args);
    started.push(ops);
    return ops;
  };
  afterAll(() => Promise.all(started.map((ops) => ops.stop())));

  it('seeds the canon once and shares one signing key, even when two instances start at once', async () => {
    await createSchema('ops_test_seed');
    const [a, b] = await Promise.all([
      start('ops_test_seed', { SEED_DEMO: 'true' }),
      start('ops_test_seed', { SEED_DEMO: 'true' }),
    ]);
    expect(await counts(a!)).toEqual({ users: 5, organizations: 3, members: 3, keys: 1 });

    const login = await execute<{ logIn: AuthData }>(b!, LOG_IN, {
      email: 'breeder@terrarium.test',
      password: DEMO_PASSWORD,
    });
    expect(login.data?.logIn.user).toMatchObject({
      id: seedId('user:breeder@terrarium.test'),
      displayName: 'Bea Breeder',
      roles: ['BREEDER'],
    });
    const jwks = await jwksOf(a!);
    const { payload } = await jwtVerify(login.data!.logIn.token, createLocalJWKSet(jwks), {
      issuer: 'terrarium-ops',
      audience: 'terrarium',
    });
    expect(payload['orgs']).toEqual([seedId('org:sunset-reptiles')]);

    const admin = await execute<{ logIn: AuthData }>(a!, LOG_IN, {
      email: 'admin@terrarium.test',
      password: DEMO_PASSWORD,
    });
    expect(admin.data?.logIn.user).toMatchObject({
      id: seedId('user:admin@terrarium.test'),
      displayName: 'Ada Admin',
      roles: ['STAFF'],
    });

    const orgs = await execute(
      a!,
      '{ organizations { edges { node { id slug name description members { role user { displayName } } } } } }',
    );
    expect(orgs.data!['organizations'].edges.map((e: { node: unknown }) => e.node)).toEqual([
      expect.objectContaining({
        id: seedId('org:desert-morphs'),
        name: 'Desert Morphs',
        members: [{ role: 'OWNER', user: { displayName: 'Dez Morales' } }],
      }),
      expect.objectContaining({
        id: seedId('org:scales-and-tails'),
        name: 'Scales & Tails',
        members: [{ role: 'OWNER', user: { displayName: 'Sam Scales' } }],
      }),
      expect.objectContaining({
        id: seedId('org:sunset-reptiles'),
        name: 'Sunset Reptiles',
        members: [{ role: 'OWNER', user: { displayName: 'Bea Breeder' } }],
      }),
    ]);
    for (const edge of orgs.data!['organizations'].edges)
      expect(edge.node.description.length).toBeGreaterThan(40);

    // A restart seeds nothing new and signs with the stored key.
    const c = await start('ops_test_seed', { SEED_DEMO: 'true' });
    expect(await counts(c)).toEqual({ users: 5, organizations: 3, members: 3, keys: 1 });
    const again = await execute<{ logIn: AuthData }>(c, LOG_IN, {
      email: 'keeper@terrarium.test',
      password: DEMO_PASSWORD,
    });
    expect(decodeProtectedHeader(again.data!.logIn.token).kid).toBe(jwks.keys[0]!.kid);
  });

  it('creates one active signing key when several instances find none at the same moment', async () => {
    const ops = await start('ops_test_key_race');
    const settings = loadJwtSettings({});
    for (let round = 0; round < 3; round += 1) {
      await em(ops).execute('delete from signing_key');
      const racers = Array.from({ length: 4 }, () => createSigningKeys(settings, ops.config.internalSecret));
      await Promise.all(racers.map((keys) => keys.load(ops.orm, ops.logger)));
      expect(new Set(racers.map((keys) => keys.active().kid)).size).toBe(1);
      expect((await counts(ops)).keys).toBe(1);
    }
  });

  it('rotates a stored key it cannot decrypt, and keeps serving the old public key for a token lifetime', async () => {
    const first = await start('ops_test_rotation');
    const [oldKey] = (await jwksOf(first)).keys;
    const second = await start('ops_test_rotation', {
      INTERNAL_SECRET: 'another-internal-secret-of-32-chars!',
    });
    const jwks = await jwksOf(second);
    expect(jwks.keys.map((k) => k.kid)).toEqual([expect.not.stringMatching(oldKey!.kid!), oldKey!.kid]);
    const [row] = await em(second).execute<{ active: number }[]>(
      'select count(*)::int as active from signing_key where active',
    );
    expect(row!.active).toBe(1);
  });

  it('signs with JWT_PRIVATE_KEY when it is set, and stores no key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().replace(/\n/g, '\\n');
    const ops = await start('ops_test_env_key', {
      JWT_PRIVATE_KEY: pem,
      JWT_ISSUER: 'https://ops.example',
      JWT_AUDIENCE: 'example',
    });
    const jwks = await jwksOf(ops);
    const kid = await calculateJwkThumbprint(
      publicKey.export({ format: 'jwk' }) as { kty: 'EC'; crv: string; x: string; y: string },
    );
    expect(jwks.keys.map((k) => k.kid)).toEqual([kid]);

    const { data } = await execute<{ signUp: AuthData }>(ops, SIGN_UP, {
      input: { email: 'env@example.test', password: 'long enough password', displayName: 'Env' },
    });
    await expect(
      jwtVerify(data!.signUp.token, publicKey, { issuer: 'https://ops.example', audience: 'example' }),
    ).resolves.toMatchObject({
      payload: { sub: data!.signUp.user.id, iss: 'https://ops.example', aud: 'example' },
    });
    expect((await counts(ops)).keys).toBe(0);
  });

  it('refuses a JWT_PRIVATE_KEY that is not a P-256 PKCS8 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => loadJwtSettings({ JWT_PRIVATE_KEY: 'not a key' })).toThrow(ConfigError);
    expect(() => loadJwtSettings({ JWT_PRIVATE_KEY: rsa })).toThrow(/EC P-256/);
    expect(loadJwtSettings({})).toMatchObject({
      issuer: 'terrarium-ops',
      audience: 'terrarium',
      privateKey: null,
    });
  });
});
