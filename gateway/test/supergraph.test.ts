import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compose,
  PRODUCTS_SDL,
  productsResolvers,
  startFixtureGraph,
  startFixtureSubgraph,
  type FixtureGraph,
} from './fixtures/graph.js';
import type { FixtureSubgraph } from './fixtures/subgraph.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';

/** products, version 2: a new field, staff only. */
const PRODUCTS_V2_SDL = PRODUCTS_SDL.replace(
  'cost: Int @access(roles: ["STAFF"]) }',
  'cost: Int @access(roles: ["STAFF"]) color: String @access(roles: ["STAFF"]) }',
);

let graph: FixtureGraph;
let productsV2: FixtureSubgraph;
let issuer: TestIssuer;
let gateway: TestGateway;
let staff: Record<string, string>;

beforeAll(async () => {
  [graph, issuer] = await Promise.all([startFixtureGraph(), startTestIssuer()]);
  const v1 = productsResolvers();
  productsV2 = await startFixtureSubgraph(
    'products',
    PRODUCTS_V2_SDL,
    { ...v1, Product: { ...v1.Product, color: () => 'amber' } },
    process.env['INTERNAL_SECRET']!,
  );
  gateway = await startGateway(graph.supergraphPath, { JWKS_URL: issuer.jwksUrl });
  staff = {
    authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-1111-4000-8000-000000000001', roles: ['STAFF'] })}`,
  };
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([graph?.close(), productsV2?.kill(), issuer?.close()]);
});

/** Writes a new supergraph file and waits for the gateway's verdict on it. */
async function swap(sdl: string): Promise<'supergraph-updated' | 'supergraph-refused'> {
  const verdict = Promise.race([
    once(gateway.server.events, 'supergraph-updated').then(() => 'supergraph-updated' as const),
    once(gateway.server.events, 'supergraph-refused').then(() => 'supergraph-refused' as const),
  ]);
  writeFileSync(graph.supergraphPath, sdl);
  return verdict;
}

describe('supergraph hot reload', () => {
  it('swaps to a new supergraph without dropping requests, in flight or arriving, and rebuilds the access policy', async () => {
    expect((await gateway.post({ query: '{ products { color } }' }, staff)).status).toBe(400);
    const arrived = graph.products.nextRequest();
    const inFlight = gateway.post({ query: '{ slow(ms: 300) }' });
    await arrived;
    let swapping = true;
    const during: number[] = [];
    const traffic = (async () => {
      while (swapping) during.push((await gateway.post({ query: '{ products { title } }' })).status);
    })();
    expect(await swap(compose([graph.ops, { ...productsV2, name: 'products' }, graph.reviews]))).toBe(
      'supergraph-updated',
    );
    swapping = false;
    await traffic;
    expect(await inFlight).toMatchObject({ status: 200, body: { data: { slow: 'slept 300' } } });
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((status) => status === 200)).toBe(true);

    const before = productsV2.count();
    const { status, body } = await gateway.post({ query: '{ products { title color } }' }, staff);
    expect(status).toBe(200);
    expect(body.data?.['products']).toContainEqual({ title: 'Heat Emitter', color: 'amber' });
    expect(productsV2.count()).toBeGreaterThan(before);
    // The new field's @access is enforced as soon as it is served.
    expect((await gateway.post({ query: '{ products { color } }' })).status).toBe(401);
  });

  it('refuses an invalid supergraph and keeps serving the previous one', async () => {
    expect(
      await swap('schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query {'),
    ).toBe('supergraph-refused');
    expect((await gateway.post({ query: '{ products { title color } }' }, staff)).status).toBe(200);
    expect(await (await fetch(gateway.url.replace('/graphql', '/ready'))).json()).toEqual({
      status: 'ready',
    });
  });

  it('refuses a supergraph whose @access names an unknown role, so no field is served unguarded', async () => {
    const typo = PRODUCTS_V2_SDL.replace(
      'color: String @access(roles: ["STAFF"])',
      'color: String @access(roles: ["STAF"])',
    );
    expect(
      await swap(compose([graph.ops, { ...productsV2, name: 'products', typeDefs: typo }, graph.reviews])),
    ).toBe('supergraph-refused');
    expect((await gateway.post({ query: '{ products { color } }' })).status).toBe(401);
  });
});
