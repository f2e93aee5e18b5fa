/**
 * Persisted queries end to end: the manifests in schema/manifests served by real gateway processes
 * in front of the six real subgraphs, partner keys made by staff through ops, APQ shared through
 * Redis. "No subgraph was called" is read from the gateway's /metrics: its fetches to the
 * subgraphs other than ops (which it asks for API keys and feature flags on its own schedule). The
 * subgraphs' own counts would also see their background calls to each other (feature flags,
 * read-model feeds), which land at any moment.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import {
  bearer,
  contractOperation,
  gql,
  logIn,
  startPlatform,
  type GraphQLResponse,
  type Platform,
} from './support/platform.js';

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}
const manifest = (client: string): ManifestOperation[] =>
  (
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'schema', 'manifests', `${client}.json`), 'utf8'),
    ) as { operations: ManifestOperation[] }
  ).operations;
const idOf = (client: string, name: string): string => {
  const found = manifest(client).find((op) => op.name === name);
  if (!found) throw new Error(`${name} is not in the ${client} manifest`);
  return found.id;
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const ANIMAL_CARD = idOf('partner-embed', 'AnimalCard');
const animalId = seedId('animal:7');

let platform: Platform;
let url: string;
/** Allowed AnimalCard, BreederListings and LiveStock. */
let partnerKey: string;
/** Allowed BreederListings only. */
let narrowKey: string;
let redis: Redis;
const hotClient = `test-hot-${randomBytes(4).toString('hex')}`;

async function createPartner(staffToken: string, name: string, allowedOperations: string[]): Promise<string> {
  const { body } = await gql(
    url,
    contractOperation('admin', 'CreatePartner'),
    { input: { name, allowedOperations } },
    bearer(staffToken),
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data.createApiClient.key as string;
}

/** Sum of GraphQL operations the subgraphs executed (ops' API-key lookups for the gateway aside). */
async function subgraphFetches(): Promise<number> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  let total = 0;
  for (const match of text.matchAll(/^subgraph_fetch_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
    if (!match[1]!.includes('subgraph="ops"')) total += Number(match[2]);
  }
  return total;
}

/** GET /graphql the way Apollo Client and the embed send persisted queries. */
async function persistedGet(
  gatewayUrl: string,
  params: { hash?: string; documentId?: string; operationName?: string; variables?: object; query?: string },
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const search = new URLSearchParams();
  if (params.query) search.set('query', params.query);
  if (params.operationName) search.set('operationName', params.operationName);
  if (params.variables) search.set('variables', JSON.stringify(params.variables));
  if (params.hash)
    search.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: params.hash } }));
  if (params.documentId) search.set('documentId', params.documentId);
  // A non-simple header, as Apollo's CSRF prevention requires of GET requests.
  const response = await fetch(`${gatewayUrl}?${search}`, {
    headers: { 'x-apollo-operation-name': params.operationName ?? 'op', ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse['body'],
  };
}

/** Retries `send` until it answers without errors (hot reload and Redis pub/sub are asynchronous). */
async function eventually(
  send: () => Promise<GraphQLResponse>,
  timeoutMs = 10_000,
): Promise<GraphQLResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await send();
    if (!response.body.errors || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(
  gatewayUrl: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse['body'],
  };
}

beforeAll(async () => {
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'inventory', 'commerce', 'media', 'community'],
  });
  url = platform.gatewayUrl;
  redis = new Redis(process.env['REDIS_URL']!);
  const staff = await logIn(url, 'admin@terrarium.test');
  partnerKey = await createPartner(staff, `Partner ${Date.now()}`, [
    'AnimalCard',
    'BreederListings',
    'LiveStock',
  ]);
  narrowKey = await createPartner(staff, `Narrow partner ${Date.now()}`, ['BreederListings']);
}, 120_000);

afterAll(async () => {
  await redis?.del(`${platform.redisKeyPrefix}pq:${hotClient}`);
  await redis?.srem(`${platform.redisKeyPrefix}pq:clients`, hotClient);
  await redis?.quit();
  await platform?.stop();
});

describe('a partner key runs its persisted operations by id', () => {
  it('AnimalCard by GET (APQ shape), with cache headers', async () => {
    const { status, headers, body } = await persistedGet(
      url,
      { hash: ANIMAL_CARD, operationName: 'AnimalCard', variables: { id: animalId } },
      { 'x-api-key': partnerKey },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.animal).toMatchObject({
      id: animalId,
      name: expect.any(String),
      species: { commonName: expect.any(String) },
    });
    expect(body.data.animal.photos[0].url).toEqual(expect.any(String));
    // Every subgraph answering AnimalCard hints @cacheControl(maxAge: 60) on what it resolves,
    // and a partner key is not a person: a CDN may cache the answer.
    expect(headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('AnimalCard by POST, by documentId (trusted documents shape)', async () => {
    const { status, headers, body } = await post(
      url,
      { documentId: `sha256:${ANIMAL_CARD}`, variables: { id: animalId } },
      { 'x-api-key': partnerKey },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.animal.id).toBe(animalId);
    expect(headers.get('cache-control')).toEqual(expect.any(String));
  });

  it('AnimalCard by POST with extensions.persistedQuery', async () => {
    const { body } = await post(
      url,
      {
        extensions: { persistedQuery: { version: 1, sha256Hash: ANIMAL_CARD } },
        variables: { id: animalId },
      },
      { 'x-api-key': partnerKey },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.animal.id).toBe(animalId);
  });
});

describe('anything else from a partner key is refused with PERSISTED_QUERY_NOT_IN_LIST before any subgraph call', () => {
  const cases: [string, () => Promise<GraphQLResponse>][] = [
    [
      'a free-form query (POST)',
      () =>
        gql(
          url,
          manifest('partner-embed').find((op) => op.name === 'AnimalCard')!.body,
          { id: animalId },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      'a free-form query (GET)',
      () => persistedGet(url, { query: '{ species { commonName } }' }, { 'x-api-key': partnerKey }),
    ],
    [
      'an unknown id',
      () =>
        persistedGet(
          url,
          { hash: sha256('query Unknown { species { id } }'), variables: {} },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      'an unknown documentId',
      () => post(url, { documentId: sha256('nothing'), variables: {} }, { 'x-api-key': partnerKey }),
    ],
    [
      "another client's id (storefront's ProductPage)",
      () =>
        persistedGet(
          url,
          { hash: idOf('storefront', 'ProductPage'), variables: { slug: 'ceramic-heat-emitter-100w' } },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      "another client's mutation (admin's AdjustStock)",
      () =>
        post(
          url,
          {
            documentId: idOf('admin', 'AdjustStock'),
            variables: { productId: seedId('product:TR-HEAT-100'), delta: 1, reason: 'x' },
          },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      'a hash that does not match its query (APQ registration)',
      () =>
        post(
          url,
          {
            query: '{ species { id } }',
            extensions: { persistedQuery: { version: 1, sha256Hash: ANIMAL_CARD } },
          },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      'a matching APQ registration',
      () =>
        post(
          url,
          {
            query: '{ species { id } }',
            extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ species { id } }') } },
          },
          { 'x-api-key': partnerKey },
        ),
    ],
    [
      'a partner-embed operation its API client was not granted',
      () =>
        persistedGet(
          url,
          { hash: ANIMAL_CARD, operationName: 'AnimalCard', variables: { id: animalId } },
          { 'x-api-key': narrowKey },
        ),
    ],
  ];

  it.each(cases)('%s', async (_name, send) => {
    // Warm the key's verdict first, so that the only subgraph traffic left would be the operation's.
    await persistedGet(url, { hash: ANIMAL_CARD, variables: { id: animalId } }, { 'x-api-key': narrowKey });
    const before = await subgraphFetches();
    const { status, headers, body } = await send();
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(body.data).toBeUndefined();
    expect(headers.get('cache-control')).toBe('no-store');
    expect(await subgraphFetches()).toBe(before);
  });

  it('counts the fetches of an operation the key may run (the check above can fail)', async () => {
    const before = await subgraphFetches();
    const { body } = await persistedGet(
      url,
      { hash: ANIMAL_CARD, variables: { id: animalId } },
      {
        'x-api-key': partnerKey,
      },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(await subgraphFetches()).toBeGreaterThan(before);
  });

  it('the binding follows the key: a client-name header changes nothing', async () => {
    const { status, body } = await persistedGet(
      url,
      { hash: idOf('storefront', 'ProductPage'), variables: { slug: 'x' } },
      { 'x-api-key': partnerKey, 'apollographql-client-name': 'storefront' },
    );
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('first-party callers', () => {
  it('run any manifest operation by id, by GET for queries', async () => {
    const { status, headers, body } = await persistedGet(url, {
      hash: idOf('storefront', 'ProductPage'),
      operationName: 'ProductPage',
      variables: { slug: 'ceramic-heat-emitter-100w' },
    });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.product.sku).toBe('TR-HEAT-100');
    // Public and hinted by every subgraph it reads (inventory's stock the shortest, 10 s); an
    // answer from the gateway's entity cache says what remains of that.
    expect(headers.get('cache-control')).toMatch(/^public, max-age=([1-9]|10)$/);
  });

  it('get 405 for a persisted mutation by GET, and nothing runs', async () => {
    const before = await subgraphFetches();
    const { status, headers } = await persistedGet(url, {
      hash: idOf('admin', 'AdjustStock'),
      variables: { productId: seedId('product:TR-HEAT-100'), delta: 1, reason: 'GET' },
    });
    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('POST');
    expect(await subgraphFetches()).toBe(before);
  });

  it('get personal answers marked private', async () => {
    const token = await logIn(url, 'keeper@terrarium.test');
    const { headers, body } = await gql(url, contractOperation('storefront', 'Me'), {}, bearer(token));
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(headers.get('cache-control')).toBe('private, no-store');
  });

  it('mutations are no-store', async () => {
    const { headers } = await gql(url, contractOperation('storefront', 'LogIn'), {
      email: 'keeper@terrarium.test',
      password: 'terrarium-demo',
    });
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('an unknown documentId is PERSISTED_QUERY_NOT_FOUND', async () => {
    const { status, body } = await post(url, { documentId: sha256('no such document') });
    expect(status).toBe(404);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

// These share state between gateways through Redis: they run where REDIS_URL is set (CI sets it).
const withRedis = describe.skipIf(!process.env['REDIS_URL']);

withRedis('APQ for first-party apps, shared by gateways through Redis', () => {
  const query = `query ApqProbe { species { commonName } apqProbe${randomBytes(4).toString('hex')}: species { id } }`;
  const hash = sha256(query);
  let gatewayB: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    gatewayB = await platform.startGateway();
  }, 60_000);

  it('an unknown hash asks for the query (PERSISTED_QUERY_NOT_FOUND), without a subgraph call', async () => {
    const before = await subgraphFetches();
    const { body } = await persistedGet(url, { hash, operationName: 'ApqProbe' });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await subgraphFetches()).toBe(before);
  });

  it('a hash that does not match its query is refused and not registered', async () => {
    const before = await subgraphFetches();
    const wrong = sha256(`${query} `);
    const { status, body } = await post(url, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: wrong } },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe('provided sha does not match query');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
    expect(await subgraphFetches()).toBe(before);
    expect(await redis.exists(`${platform.redisKeyPrefix}apq:${wrong}`)).toBe(0);
  });

  it('registers with the query, then replays by hash alone on another gateway', async () => {
    const registered = await post(url, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(registered.body.errors, JSON.stringify(registered.body.errors)).toBeUndefined();
    expect(registered.body.data.species.length).toBeGreaterThan(0);
    expect(await redis.exists(`${platform.redisKeyPrefix}apq:${hash}`)).toBe(1);
    expect(await redis.ttl(`${platform.redisKeyPrefix}apq:${hash}`)).toBeGreaterThan(0);

    const replayed = await persistedGet(gatewayB.url, { hash, operationName: 'ApqProbe' });
    expect(replayed.body.errors, JSON.stringify(replayed.body.errors)).toBeUndefined();
    expect(replayed.body.data).toEqual(registered.body.data);
  });

  it('a partner key cannot replay a registered APQ hash', async () => {
    const { status, body } = await persistedGet(
      gatewayB.url,
      { hash, operationName: 'ApqProbe' },
      { 'x-api-key': partnerKey },
    );
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

withRedis('a gateway with APQ off and no manifest files of its own', () => {
  let gatewayC: { url: string; stop(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'terrarium-manifests-'));
    mkdirSync(dir, { recursive: true });
    gatewayC = await platform.startGateway({ APQ_ENABLED: 'false', PERSISTED_MANIFESTS_DIR: dir });
  }, 60_000);

  it('still serves the manifests other gateways published to Redis', async () => {
    expect(await redis.hexists(`${platform.redisKeyPrefix}pq:partner-embed`, ANIMAL_CARD)).toBe(1);
    const { body } = await persistedGet(
      gatewayC.url,
      { hash: ANIMAL_CARD, operationName: 'AnimalCard', variables: { id: animalId } },
      { 'x-api-key': partnerKey },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.animal.id).toBe(animalId);
  });

  it('refuses APQ with PERSISTED_QUERY_NOT_SUPPORTED', async () => {
    const query = '{ species { id } }';
    const { body } = await post(gatewayC.url, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } },
    });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('hot-reloads a manifest written to its directory', async () => {
    const body = `query HotProbe {\n  species {\n    scientificName\n  }\n}`;
    const id = sha256(body);
    const before = await persistedGet(gatewayC.url, { hash: id, operationName: 'HotProbe' });
    expect(before.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    writeFileSync(
      join(dir, `${hotClient}.json`),
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id, name: 'HotProbe', type: 'query', body }],
      }),
    );
    const after = await eventually(() => persistedGet(gatewayC.url, { hash: id, operationName: 'HotProbe' }));
    expect(after.body.errors, JSON.stringify(after.body.errors)).toBeUndefined();
    expect(after.body.data.species[0].scientificName).toEqual(expect.any(String));
    // ...and published it for the other gateways.
    const shared = await eventually(() => persistedGet(url, { hash: id, operationName: 'HotProbe' }));
    expect(shared.body.errors, JSON.stringify(shared.body.errors)).toBeUndefined();
  });
});

describe('the embed script', () => {
  it('is served at a stable path with the partner manifest ids, long cache headers and CORS', async () => {
    const script = url.replace(/\/graphql$/, '/embed/v1/terrarium-embed.js');
    const response = await fetch(script, { headers: { origin: 'https://partner.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d{5,}/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const text = await response.text();
    expect(text).toContain(ANIMAL_CARD);
    expect(text).not.toContain('__TERRARIUM_PERSISTED_IDS__');
    const etag = response.headers.get('etag')!;
    const again = await fetch(script, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});
