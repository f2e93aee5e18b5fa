/**
 * Cache-Control through a real gateway from a real subgraph's @cacheControl hints: Apollo Gateway
 * folds each subgraph's Cache-Control header into the request's policy, and the gateway answers
 * with the smallest max-age, public unless a hint or the caller makes it private.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose } from './fixtures/graph.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { startFixtureSubgraph, type FixtureSubgraph } from './fixtures/subgraph.js';

/** What a subgraph adds to use hints: the directive and its enum (Apollo Server's cache-control plugin reads them). */
const CATALOG_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
  directive @cacheControl(
    maxAge: Int
    scope: CacheControlScope
    inheritMaxAge: Boolean
  ) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  type Item @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
  }
  type Viewer @cacheControl(maxAge: 30, scope: PRIVATE) {
    id: ID!
  }
  type Query {
    items: [Item!]! @cacheControl(maxAge: 300)
    item(id: ID!): Item
    viewer: Viewer
    uncached: String
    broken: Item @cacheControl(maxAge: 300)
  }
`;

let catalog: FixtureSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  catalog = await startFixtureSubgraph(
    'catalog',
    CATALOG_SDL,
    {
      Query: {
        items: () => [{ id: '1', name: 'Cork bark' }],
        item: (_: unknown, { id }: { id: string }) => ({ id, name: 'Cork bark' }),
        viewer: () => ({ id: 'v' }),
        uncached: () => 'x',
        broken: () => {
          throw new Error('boom');
        },
      },
    },
    process.env['INTERNAL_SECRET']!,
  );
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-cache-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'catalog', url: catalog.url, typeDefs: CATALOG_SDL }]));
  gateway = await startGateway(supergraphPath, { PERSISTED_MANIFESTS_DIR: dir });
});
afterAll(async () => {
  await gateway?.stop();
  await catalog?.kill();
});

async function get(query: string): Promise<Response> {
  return fetch(`${gateway.url}?query=${encodeURIComponent(query)}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
}

describe('Cache-Control from subgraph hints', () => {
  it('public data: the smallest max-age across the hints (a field says 300 s, a type 60 s)', async () => {
    expect((await get('{ items { id name } }')).headers.get('cache-control')).toBe('public, max-age=300');
    const response = await get('{ items { id } item(id: "1") { name } }');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('a PRIVATE hint makes it private', async () => {
    expect((await get('{ viewer { id } }')).headers.get('cache-control')).toBe('private, max-age=30');
  });

  it('a field without a hint makes it uncacheable', async () => {
    expect((await get('{ uncached }')).headers.get('cache-control')).toBe('no-store');
    expect((await get('{ items { id } uncached }')).headers.get('cache-control')).toBe('no-store');
  });

  it('errors are never cached', async () => {
    const response = await get('{ broken { id } }');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('POST gets the same policy (a CDN caches GET only)', async () => {
    const { headers } = await gateway.post({ query: '{ item(id: "1") { id } }' });
    expect(headers.get('cache-control')).toBe('public, max-age=60');
  });
});

describe('GET answers a shared cache may keep', () => {
  it('vary on what changes the answer: the origin (CORS), a user token and a partner key', async () => {
    const response = await get('{ items { id name } }');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(varyOf(response)).toEqual(['authorization', 'origin', 'x-api-key']);
    const personal = await fetch(`${gateway.url}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(personal.headers.get('cache-control')).toBe('private, max-age=30');
    expect(varyOf(personal)).toEqual(['authorization', 'origin', 'x-api-key']);
  });

  it('a GET by an APQ hash (registered through APQ, in no manifest) of a public query is public', async () => {
    const query = 'query ApqItems { items { id } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }));
    const byHash = () =>
      fetch(`${gateway.url}?extensions=${extensions}`, { headers: { 'apollo-require-preflight': 'true' } });
    const unknown = await byHash();
    expect(
      ((await unknown.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions
        ?.code,
    ).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    const registered = await gateway.post({
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    expect(registered.status).toBe(200);
    const hit = await byHash();
    expect(hit.status).toBe(200);
    expect(await hit.json()).toEqual({ data: { items: [{ id: '1' }] } });
    expect(hit.headers.get('cache-control')).toBe('public, max-age=300');
    expect(varyOf(hit)).toEqual(['authorization', 'origin', 'x-api-key']);
  });
});

/** The Vary header's names, lower-cased and sorted. */
function varyOf(response: Response): string[] {
  return (response.headers.get('vary') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}
