import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCaller, CALLER_HEADER, ANONYMOUS } from '@terrarium/platform/caller';
import { persisted, startFixtureGraph, PARTNER, PARTNER_KEY, type FixtureGraph } from './fixtures/graph.js';
import { postGraphQL, startGateway, uniquePrefix, type TestGateway } from './fixtures/gateway.js';
import { hmacToken, startTestIssuer, unsignedToken, type TestIssuer } from './fixtures/jwt.js';

const WHOAMI = { query: 'query Whoami { whoami }' };
const STAFF = { sub: '0b7c5a2e-1111-4000-8000-000000000001', roles: ['STAFF'], orgs: [] };

let graph: FixtureGraph;
let issuer: TestIssuer;
let gateway: TestGateway;
const prefix = uniquePrefix();

/** What the ops fixture saw on its last request, parsed from `whoami`. */
function seen(body: { data?: Record<string, unknown> | null }) {
  return JSON.parse(String(body.data?.['whoami'])) as {
    caller: typeof ANONYMOUS;
    requestId: string;
    authorization: string | null;
  };
}

/** Requests ops received from the gateway acting as a service (API key checks). */
const keyChecks = () => graph.ops.requests.filter((r) => r.caller?.service === 'gateway').length;

beforeAll(async () => {
  [graph, issuer] = await Promise.all([startFixtureGraph(), startTestIssuer()]);
  gateway = await startGateway(graph.supergraphPath, {
    JWKS_URL: issuer.jwksUrl,
    OPS_URL: graph.ops.url,
    REDIS_URL: process.env['REDIS_URL'],
    REDIS_KEY_PREFIX: prefix,
    PERSISTED_MANIFESTS_DIR: graph.dir,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([graph?.close(), issuer?.close()]);
});

describe('user JWTs', () => {
  it('forward a verified caller to subgraphs, never the Authorization header', async () => {
    const token = await issuer.sign(STAFF);
    const { status, body } = await gateway.post(WHOAMI, { authorization: `Bearer ${token}` });
    expect(status).toBe(200);
    const { caller, authorization } = seen(body);
    expect(caller).toMatchObject({ userId: STAFF.sub, roles: ['STAFF'], apiClientId: null, service: null });
    expect(authorization).toBeNull();
  });

  it('accept a token expired within the 30 s clock leeway', async () => {
    const token = await issuer.sign(STAFF, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    expect((await gateway.post(WHOAMI, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it.each([
    ['alg=none', async () => unsignedToken(STAFF)],
    ['a signature by a key outside the JWKS', async () => issuer.signWithForeignKey(STAFF)],
    ['an HS256 token (algorithm confusion)', async () => hmacToken(STAFF)],
    ['a wrong audience', async () => issuer.sign(STAFF, { audience: 'someone-else' })],
    ['a wrong issuer', async () => issuer.sign(STAFF, { issuer: 'evil' })],
    ['an expired token', async () => issuer.sign(STAFF, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ['a malformed header', async () => 'not-a-jwt'],
  ])('refuse %s with 401 UNAUTHENTICATED before any subgraph is called', async (_, token) => {
    const before = graph.total();
    const { status, headers, body } = await gateway.post(WHOAMI, {
      authorization: `Bearer ${await token()}`,
    });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(graph.total()).toBe(before);
  });

  it('refuse a role claim that is not a role (inherited names included)', async () => {
    const token = await issuer.sign({ sub: STAFF.sub, roles: ['toString', 'KEEPER'] });
    const { caller } = seen((await gateway.post(WHOAMI, { authorization: `Bearer ${token}` })).body);
    expect(caller.roles).toEqual(['KEEPER']);
  });
});

describe('partner API keys', () => {
  it('identify the partner (ops asked once, as the gateway service) and reach subgraphs as it', async () => {
    const before = keyChecks();
    const first = await gateway.post(persisted('Whoami'), { 'x-api-key': PARTNER_KEY });
    const second = await gateway.post(persisted('Whoami'), { 'x-api-key': PARTNER_KEY });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(seen(second.body).caller).toMatchObject({
      userId: null,
      apiClientId: PARTNER.id,
      scopes: ['partner'],
      roles: [],
    });
    expect(keyChecks() - before).toBe(1);
  });

  it.skipIf(!process.env['REDIS_URL'])(
    'share the verdict through Redis: a second gateway does not ask ops again',
    async () => {
      const other = await startGateway(graph.supergraphPath, {
        OPS_URL: graph.ops.url,
        REDIS_URL: process.env['REDIS_URL'],
        REDIS_KEY_PREFIX: prefix,
        PERSISTED_MANIFESTS_DIR: graph.dir,
      });
      try {
        const before = keyChecks();
        expect((await other.post(persisted('Whoami'), { 'x-api-key': PARTNER_KEY })).status).toBe(200);
        expect(keyChecks()).toBe(before);
      } finally {
        await other.stop();
      }
    },
  );

  it('refuse an unknown key with 401 and call no subgraph but the key check', async () => {
    const before = {
      products: graph.products.count(),
      reviews: graph.reviews.count(),
      ops: graph.ops.count(),
      checks: keyChecks(),
    };
    const { status, body } = await gateway.post(
      { query: '{ products { title } }' },
      { 'x-api-key': 'tk_test_unknown_key_000000000000' },
    );
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(graph.products.count()).toBe(before.products);
    expect(graph.reviews.count()).toBe(before.reviews);
    expect(graph.ops.count() - before.ops).toBe(keyChecks() - before.checks);
  });

  it('are answered to any origin once verified (partner widgets live on unlisted sites), never with a user token', async () => {
    const origin = 'https://reptile-weekly.example';
    const preflight = (headers: string) =>
      fetch(gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': headers,
        },
      });
    const partnerPreflight = await preflight('content-type, x-api-key');
    expect(partnerPreflight.status).toBe(204);
    expect(partnerPreflight.headers.get('access-control-allow-headers')).not.toContain('authorization');
    expect(partnerPreflight.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('content-type, authorization')).status).toBe(403);
    expect((await preflight('content-type, x-api-key, authorization')).status).toBe(403);

    const verified = await gateway.post(persisted('Whoami'), { origin, 'x-api-key': PARTNER_KEY });
    expect(verified.status).toBe(200);
    expect(verified.headers.get('access-control-allow-origin')).toBe(origin);
    expect(verified.headers.get('access-control-allow-credentials')).toBeNull();
    const unknown = await gateway.post(persisted('Whoami'), {
      origin,
      'x-api-key': 'tk_test_unknown_key_000000000000',
    });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('access-control-allow-origin')).toBeNull();
    const anonymous = await gateway.post(WHOAMI, { origin });
    expect(anonymous.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("answer a verified key's GET of a persisted query to its origin, never with credentials", async () => {
    const origin = 'https://reptile-weekly.example';
    const { documentId } = persisted('Whoami');
    const get = (key: string) =>
      fetch(`${gateway.url}?documentId=${encodeURIComponent(documentId)}`, {
        headers: { origin, 'x-api-key': key, 'apollo-require-preflight': 'true' },
      });
    const verified = await get(PARTNER_KEY);
    expect(verified.status).toBe(200);
    expect(seen((await verified.json()) as { data?: Record<string, unknown> }).caller.apiClientId).toBe(
      PARTNER.id,
    );
    expect(verified.headers.get('access-control-allow-origin')).toBe(origin);
    expect(verified.headers.get('access-control-allow-credentials')).toBeNull();
    const unknown = await get('tk_test_unknown_key_000000000000');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('access-control-allow-origin')).toBeNull();
    expect(unknown.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuse a request carrying both a token and a key', async () => {
    const token = await issuer.sign(STAFF);
    const { status } = await gateway.post(WHOAMI, {
      authorization: `Bearer ${token}`,
      'x-api-key': PARTNER_KEY,
    });
    expect(status).toBe(400);
  });
});

describe('when ops cannot be asked', () => {
  it('answers 503 (not 401) for tokens and keys it cannot check, and calls no subgraph', async () => {
    const closed = 'http://127.0.0.1:1';
    const orphan = await startGateway(graph.supergraphPath, {
      JWKS_URL: `${closed}/.well-known/jwks.json`,
      OPS_URL: `${closed}/graphql`,
    });
    try {
      const before = graph.total();
      const token = await orphan.post(WHOAMI, { authorization: `Bearer ${await issuer.sign(STAFF)}` });
      const key = await orphan.post(WHOAMI, { 'x-api-key': PARTNER_KEY });
      expect([token.status, key.status]).toEqual([503, 503]);
      expect(token.body.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
      expect(graph.total()).toBe(before);
    } finally {
      await orphan.stop();
    }
  });
});

describe('subgraphs trust only the gateway', () => {
  it('refuse a spoofed identity sent directly (401), while the same request through the gateway works', async () => {
    const forged = await signCaller(
      { ...ANONYMOUS, userId: STAFF.sub, roles: ['STAFF'] },
      'a-guessed-secret-that-is-long-enough-0000',
    );
    const attempts: Record<string, string>[] = [
      { [CALLER_HEADER]: forged },
      { 'x-user-id': STAFF.sub, 'x-roles': 'STAFF' },
      {},
    ];
    for (const headers of attempts) {
      const direct = await postGraphQL(graph.ops.url, WHOAMI, headers);
      expect(direct.status).toBe(401);
      expect(direct.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    const token = await issuer.sign(STAFF);
    const through = await gateway.post(WHOAMI, { authorization: `Bearer ${token}`, [CALLER_HEADER]: forged });
    expect(through.status).toBe(200);
    expect(seen(through.body).caller.userId).toBe(STAFF.sub);
  });
});
