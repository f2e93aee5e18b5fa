/**
 * The foundation end to end: real ops and products processes behind a real gateway process,
 * queried over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, logIn, startPlatform, type Platform } from './support/platform.js';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ subgraphs: ['ops', 'products', 'community'] });
});
afterAll(async () => {
  await platform?.stop();
});

describe('gateway over ops and products', () => {
  it('joins products and ops in one query (a product with its creator)', async () => {
    const { status, body } = await gql(
      platform.gatewayUrl,
      '{ product(slug: "ceramic-heat-emitter-100w") { sku name price { amount currency } createdBy { displayName } } }',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.product).toMatchObject({
      sku: 'TR-HEAT-100',
      price: { currency: 'EUR' },
      createdBy: { displayName: 'Ada Admin' },
    });
    expect(body.data.product.price.amount).toBeGreaterThan(0);
  });

  it('signs a user up and answers `me` with the token', async () => {
    const email = `new-keeper-${Date.now()}@example.com`;
    const signUp = await gql(
      platform.gatewayUrl,
      'mutation($i: SignUpInput!) { signUp(input: $i) { token user { id email displayName } } }',
      {
        i: { email, password: 'a-long-enough-password', displayName: 'New Keeper' },
      },
    );
    expect(signUp.body.errors).toBeUndefined();
    const token = signUp.body.data.signUp.token as string;
    const me = await gql(platform.gatewayUrl, '{ me { email displayName roles } }', {}, bearer(token));
    expect(me.body.data.me).toEqual({ email, displayName: 'New Keeper', roles: ['KEEPER'] });
  });

  it('logs the demo staff account in', async () => {
    const token = await logIn(platform.gatewayUrl, 'admin@terrarium.test');
    const me = await gql(platform.gatewayUrl, '{ me { displayName roles } }', {}, bearer(token));
    expect(me.body.data.me).toEqual({ displayName: 'Ada Admin', roles: ['STAFF'] });
  });

  it('refuses a forged token with 401 UNAUTHENTICATED', async () => {
    const token = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    const { status, body } = await gql(platform.gatewayUrl, '{ me { id } }', {}, bearer(forged));
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it.each([
    [
      'a malformed email',
      'mutation { signUp(input: { email: "not-an-email", password: "long-enough-pass", displayName: "X" }) { token } }',
    ],
    [
      'a short password',
      'mutation { signUp(input: { email: "short@example.com", password: "short", displayName: "X" }) { token } }',
    ],
    ['first: -1', '{ products(first: -1) { totalCount } }'],
    ['first: 100000', '{ products(first: 100000) { totalCount } }'],
    ['an unknown cursor', '{ products(first: 5, after: "bm90LWEtY3Vyc29y") { totalCount } }'],
  ])('answers %s with BAD_USER_INPUT and a clear message, never a 500', async (_case, query) => {
    const { status, body } = await gql(platform.gatewayUrl, query);
    expect(status).toBe(200);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).not.toMatch(/internal/i);
  });
});
