import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, firstError } from '@terrarium/subgraph-kit/testing';
import { LOG_IN, SIGN_UP, asUser, startOps, type AuthData, type Ops } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('ops: sign-up and log-in', () => {
  let ops: Ops;
  beforeAll(async () => {
    ops = await startOps('ops_test_auth');
  });
  afterAll(() => ops.stop());

  const signUp = (email: string, password = PASSWORD, displayName = 'Iris Iguana') =>
    execute<{ signUp: AuthData }>(ops, SIGN_UP, { input: { email, password, displayName } });
  const logIn = (email: string, password: string) =>
    execute<{ logIn: AuthData }>(ops, LOG_IN, { email, password });

  it('signs up a KEEPER and shows them their own email', async () => {
    const result = await signUp('Iris@Example.test');
    expect(result.errors).toEqual([]);
    expect(result.data?.signUp.user).toMatchObject({
      email: 'Iris@Example.test',
      displayName: 'Iris Iguana',
      roles: ['KEEPER'],
    });
    expect(result.data?.signUp.token.split('.')).toHaveLength(3);
  });

  it('logs in with any casing of the email', async () => {
    const result = await logIn('iris@example.TEST', PASSWORD);
    expect(result.errors).toEqual([]);
    expect(result.data?.logIn.user).toMatchObject({ email: 'Iris@Example.test', roles: ['KEEPER'] });
  });

  it('gives a wrong password and an unknown email the same UNAUTHENTICATED error', async () => {
    const wrongPassword = firstError(await logIn('iris@example.test', 'not the password'));
    const unknownEmail = firstError(await logIn('nobody@example.test', PASSWORD));
    expect(wrongPassword).toEqual({ code: 'UNAUTHENTICATED', message: 'Invalid email or password.' });
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it('refuses a second account for the same email, whatever its case (CONFLICT)', async () => {
    expect(firstError(await signUp('IRIS@example.test'))?.code).toBe('CONFLICT');
  });

  it('lets exactly one of two concurrent sign-ups with the same email succeed', async () => {
    const results = await Promise.all([signUp('race@example.test'), signUp('Race@Example.test')]);
    expect(results.filter((r) => r.data?.signUp).length).toBe(1);
    expect(results.map((r) => firstError(r)?.code).filter(Boolean)).toEqual(['CONFLICT']);
  });

  it('rejects malformed input with BAD_USER_INPUT naming the field', async () => {
    expect(firstError(await signUp('not-an-email'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expect(firstError(await signUp('a b@example.test'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expect(firstError(await signUp('short@example.test', '123456789'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'password',
      message: 'The password must be at least 10 characters long.',
    });
    expect(firstError(await signUp('blank@example.test', PASSWORD, '   '))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'displayName',
    });
    expect(firstError(await signUp('long@example.test', PASSWORD, 'x'.repeat(81)))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'displayName',
    });
  });

  it('issues an ES256 token that verifies against the JWKS served over HTTP', async () => {
    const url = await ops.listen(0);
    const response = await fetch(url.replace('/graphql', '/.well-known/jwks.json'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('max-age=300');
    const jwks = (await response.json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d'); // public half only

    const { data } = await logIn('iris@example.test', PASSWORD);
    const token = data!.logIn.token;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'terrarium-ops',
      audience: 'terrarium',
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: jwks.keys[0]!.kid });
    expect(payload).toMatchObject({ sub: data!.logIn.user.id, roles: ['KEEPER'], orgs: [] });
    expect(payload.exp! - payload.iat!).toBe(3600);
    // A token signed by another key is refused by the same key set.
    const other = await startOps('ops_test_auth_other');
    try {
      const foreign = (
        await execute<{ signUp: AuthData }>(other, SIGN_UP, {
          input: { email: 'x@example.test', password: PASSWORD, displayName: 'X' },
        })
      ).data!.signUp.token;
      expect(decodeProtectedHeader(foreign).kid).not.toBe(protectedHeader.kid);
      await expect(jwtVerify(foreign, createLocalJWKSet(jwks))).rejects.toThrow();
    } finally {
      await other.stop();
    }
  });

  it('answers me for the caller, null when anonymous, and hides emails from strangers', async () => {
    const { data } = await logIn('iris@example.test', PASSWORD);
    const iris = data!.logIn.user;
    const ME = '{ me { id email displayName } }';
    expect((await execute(ops, ME)).data).toEqual({ me: null });
    expect((await execute(ops, ME, {}, asUser(iris.id))).data).toEqual({
      me: { id: iris.id, email: 'Iris@Example.test', displayName: 'Iris Iguana' },
    });

    const USER = 'query ($id: ID!) { user(id: $id) { id email displayName } }';
    const stranger = asUser('00000000-0000-4000-8000-000000000001');
    expect((await execute(ops, USER, { id: iris.id }, stranger)).data).toEqual({
      user: { id: iris.id, email: null, displayName: 'Iris Iguana' },
    });
    expect((await execute(ops, USER, { id: iris.id })).data?.['user'].email).toBeNull();
    expect(
      (await execute(ops, USER, { id: iris.id }, asUser(stranger.userId!, ['STAFF']))).data?.['user'].email,
    ).toBe('Iris@Example.test');
    expect(firstError(await execute(ops, USER, { id: 'not-a-uuid' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });
});
