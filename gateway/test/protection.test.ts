import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persisted, startFixtureGraph, PARTNER_KEY, type FixtureGraph } from './fixtures/graph.js';
import { startGateway, uniquePrefix, type TestGateway } from './fixtures/gateway.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';

let graph: FixtureGraph;
let issuer: TestIssuer;
/** Low limits everywhere, so each is easy to cross. */
let strict: TestGateway;
let production: TestGateway;

beforeAll(async () => {
  [graph, issuer] = await Promise.all([startFixtureGraph(), startTestIssuer()]);
  [strict, production] = await Promise.all([
    startGateway(graph.supergraphPath, {
      JWKS_URL: issuer.jwksUrl,
      MAX_DEPTH: '3',
      MAX_ALIASES: '2',
      MAX_ROOT_FIELDS: '2',
      MAX_TOKENS: '60',
      MAX_COST: '100',
      MAX_BODY_BYTES: '2000',
      CORS_ORIGINS: 'https://shop.terrarium.test',
    }),
    startGateway(graph.supergraphPath, { NODE_ENV: 'production' }),
  ]);
});
afterAll(async () => {
  await Promise.all([strict?.stop(), production?.stop()]);
  await Promise.all([graph?.close(), issuer?.close()]);
});

/** Sends and reports status, first error and how many subgraph requests it caused. */
async function run(gateway: TestGateway, body: unknown, headers: Record<string, string> = {}) {
  const before = graph.total();
  const response = await gateway.post(body, headers);
  const error = response.body.errors?.[0];
  return {
    status: response.status,
    code: error?.extensions?.['code'],
    reason: error?.extensions?.['reason'],
    error,
    body: response.body,
    headers: response.headers,
    fetches: graph.total() - before,
  };
}

describe('operation limits', () => {
  it.each([
    ['depth', '{ productPage { edges { node { title } } } }'],
    ['aliases', '{ a: products { t1: title } b: products { title } }'],
    ['rootFields', '{ products { id } items { id } slow(ms: 0) }'],
    ['tokens', `{ products { ${'id title price '.repeat(25)} } }`],
  ])(
    'refuses %s over the limit with 400 OPERATION_LIMIT_EXCEEDED and no subgraph call',
    async (reason, query) => {
      expect(await run(strict, { query })).toMatchObject({
        status: 400,
        code: 'OPERATION_LIMIT_EXCEEDED',
        reason,
        fetches: 0,
      });
    },
  );

  it('estimates cost with list sizes from variables', async () => {
    const query = 'query Page($n: Int) { products(first: $n) { title } }';
    const over = await run(strict, { query, variables: { n: 500 } });
    expect(over).toMatchObject({ status: 400, code: 'OPERATION_LIMIT_EXCEEDED', reason: 'cost', fetches: 0 });
    expect(over.error?.extensions).toMatchObject({ limit: 100, actual: 500 });
    expect(await run(strict, { query, variables: { n: 2 } })).toMatchObject({ status: 200, fetches: 1 });
  });
});

describe('HTTP protections', () => {
  it('refuses a body over MAX_BODY_BYTES with 413', async () => {
    const body = JSON.stringify({ query: '{ products { id } }', variables: { padding: 'x'.repeat(4_000) } });
    expect(await run(strict, body)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', fetches: 0 });
  });

  it('refuses batched (array) bodies with 400', async () => {
    expect(
      await run(strict, [{ query: '{ products { id } }' }, { query: '{ items { id } }' }]),
    ).toMatchObject({ status: 400, fetches: 0 });
  });

  it('refuses GET and simple POST requests without a preflight header (CSRF), and serves GET with it', async () => {
    const before = graph.total();
    const url = `${strict.url}?query=${encodeURIComponent('{ products { id } }')}`;
    expect((await fetch(url)).status).toBe(400);
    const simple = await fetch(strict.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ products { id } }' }),
    });
    expect(simple.status).toBe(400);
    expect(graph.total()).toBe(before);
    expect((await fetch(url, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
  });

  it('answers CORS only for allowlisted origins, preflight included', async () => {
    const preflight = (origin: string) =>
      fetch(strict.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const allowed = await preflight('https://shop.terrarium.test');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.terrarium.test');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('https://evil.example')).status).toBe(403);
    const fromShop = await run(
      strict,
      { query: '{ products { id } }' },
      { origin: 'https://shop.terrarium.test' },
    );
    expect(fromShop.headers.get('access-control-allow-origin')).toBe('https://shop.terrarium.test');
    const fromElsewhere = await run(
      strict,
      { query: '{ products { id } }' },
      { origin: 'https://evil.example' },
    );
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('in production', () => {
  it('refuses introspection', async () => {
    expect(await run(production, { query: '{ __schema { types { name } } }' })).toMatchObject({
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      fetches: 0,
    });
  });

  it('gives no field suggestions (development does)', async () => {
    const typo = { query: '{ prodcts { id } }' };
    expect((await run(production, typo)).error?.message).toBe(
      'Cannot query field "prodcts" on type "Query".',
    );
    expect((await run(strict, typo)).error?.message).toContain('Did you mean "products"?');
  });
});

describe('masked errors', () => {
  it('never pass on a subgraph internal error message, stack or SQL; the subgraph is named', async () => {
    const { status, body } = await run(production, { query: '{ boom }' });
    expect(status).toBe(200);
    expect(body.errors).toEqual([
      {
        message: 'Internal error in the products subgraph.',
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'products' },
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/secret_prices|postgres:|stacktrace|127\.0\.0\.1/);
  });
});

describe('rate limits and blocklists (Redis)', () => {
  let redis: Redis;
  let limited: TestGateway;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    limited = await startGateway(graph.supergraphPath, {
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_MAX: '2',
      RATE_LIMIT_WINDOW_MS: '60000',
      BLOCKLIST_REFRESH_MS: '0',
      TRUST_PROXY: 'true',
      JWKS_URL: issuer.jwksUrl,
      OPS_URL: graph.ops.url,
      PERSISTED_MANIFESTS_DIR: graph.dir,
    });
  });
  afterAll(async () => {
    await limited?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers 429 with Retry-After past the limit, per client (IP, user, key)', async () => {
    const query = { query: '{ products { id } }' };
    const fromIp = { 'x-forwarded-for': '203.0.113.7' };
    expect((await run(limited, query, fromIp)).status).toBe(200);
    expect((await run(limited, query, fromIp)).status).toBe(200);
    const third = await run(limited, query, fromIp);
    expect(third).toMatchObject({ status: 429, code: 'RATE_LIMITED', fetches: 0 });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // The same IP signed in, or as a partner, is another client.
    const user = {
      ...fromIp,
      authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-3333-4000-8000-000000000003' })}`,
    };
    expect((await run(limited, query, user)).status).toBe(200);
    expect(
      (await run(limited, persisted('PartnerProducts'), { ...fromIp, 'x-api-key': PARTNER_KEY })).status,
    ).toBe(200);
    // The count lives in Redis, where every gateway sees it.
    expect(Number(await redis.get(`${prefix}ratelimit:ip:203.0.113.7`))).toBe(3);
  });

  it('reads the client IP the trusted proxy appended, not an address the client wrote before it', async () => {
    const query = { query: '{ products { id } }' };
    // The proxy appended 203.0.113.8; the entries before it are the client's own inventions.
    for (const spoofed of ['192.0.2.1', '192.0.2.2']) {
      const response = await run(limited, query, { 'x-forwarded-for': `${spoofed}, 203.0.113.8` });
      expect(response.status).toBe(200);
    }
    expect(await run(limited, query, { 'x-forwarded-for': '192.0.2.3, 203.0.113.8' })).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
    });
    expect(Number(await redis.get(`${prefix}ratelimit:ip:203.0.113.8`))).toBe(3);
    expect(await redis.get(`${prefix}ratelimit:ip:192.0.2.1`)).toBeNull();
  });

  it('counts in memory without Redis', async () => {
    const local = await startGateway(graph.supergraphPath, { RATE_LIMIT_MAX: '1' });
    try {
      expect((await run(local, { query: '{ products { id } }' })).status).toBe(200);
      expect(await run(local, { query: '{ products { id } }' })).toMatchObject({ status: 429, fetches: 0 });
    } finally {
      await local.stop();
    }
  });

  it('refuses blocklisted IPs and user agents with 403 before anything else', async () => {
    await redis.sadd(`${prefix}blocklist:ips`, '198.51.100.23');
    await redis.sadd(`${prefix}blocklist:user-agents`, 'sqlmap');
    const query = { query: '{ products { id } }' };
    expect(await run(limited, query, { 'x-forwarded-for': '198.51.100.23' })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      fetches: 0,
    });
    expect(
      await run(limited, query, { 'x-forwarded-for': '198.51.100.24', 'user-agent': 'sqlmap/1.7.2#stable' }),
    ).toMatchObject({ status: 403, fetches: 0 });
    expect(
      (await run(limited, query, { 'x-forwarded-for': '198.51.100.24', 'user-agent': 'Mozilla/5.0' })).status,
    ).toBe(200);
  });
});
