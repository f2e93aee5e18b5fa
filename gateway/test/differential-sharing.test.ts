import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBenchSubgraphs, type BenchSubgraphs } from '../../bench/gateway/subgraphs.js';
import { startTerrarium, type TerrariumUnderTest } from './differential/harness.js';

/**
 * The fast path's sharing of identical in-flight subgraph fetches (DEDUPE_SUBGRAPH_FETCHES):
 * it saves fetches for concurrent requests of one caller, and must never mix callers, share a
 * mutation, or hand a query a fetch that started before a mutation finished.
 */

const QUERY = '{ topProducts(first: 3) { upc name inStock reviews { id author { name } } } }';
/** The plan of QUERY: products, then reviews and inventory, then users. */
const FETCHES = 4;

async function post(
  url: string,
  query: string,
  authorization?: string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe('differential: shared in-flight fetches', () => {
  let subgraphs: BenchSubgraphs;
  let gateway: TerrariumUnderTest;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs({ cacheResponses: false });
    gateway = await startTerrarium(subgraphs.supergraphSdl);
    alice = `Bearer ${await gateway.issuer.sign({ sub: '00000000-0000-4000-8000-00000000a11c', roles: ['KEEPER'] })}`;
    bob = `Bearer ${await gateway.issuer.sign({ sub: '00000000-0000-4000-8000-000000000b0b', roles: ['KEEPER'] })}`;
  });
  afterEach(() => {
    for (const subgraph of subgraphs.subgraphs) subgraph.delay = () => 0;
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraphs?.close();
  });

  it('lets concurrent identical queries of one caller share fetches, with the same answer', async () => {
    const alone = await post(gateway.url, QUERY, alice);
    // Held long enough that all ten requests are in flight together.
    subgraphs.byName('products').delay = () => 150;
    const before = subgraphs.requests();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(gateway.url, QUERY, alice)));
    expect(answers.map((answer) => answer.text)).toEqual(Array(10).fill(alone.text));
    expect(subgraphs.requests() - before).toBeLessThan(10 * FETCHES);
  });

  it('never shares a fetch between two callers', async () => {
    subgraphs.byName('products').delay = () => 150;
    const before = subgraphs.requests();
    await Promise.all([post(gateway.url, QUERY, alice), post(gateway.url, QUERY, bob)]);
    expect(subgraphs.requests() - before).toBe(2 * FETCHES);
  });

  it('never shares a mutation', async () => {
    const mutation = 'mutation { renameProduct(upc: "p1", name: "Same") { upc name } }';
    subgraphs.byName('products').delay = () => 150;
    const before = subgraphs.byName('products').count();
    await Promise.all(Array.from({ length: 3 }, () => post(gateway.url, mutation, alice)));
    expect(subgraphs.byName('products').count() - before).toBe(3);
  });

  it('does not hand a query a fetch that started before a mutation finished', async () => {
    const products = subgraphs.byName('products');
    // Only the top-products fetch is slow: the mutation overtakes it.
    products.delay = (body) => (body.includes('topProducts') ? 300 : 0);
    const before = products.count();
    const early = post(gateway.url, QUERY, alice);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      (await post(gateway.url, 'mutation { renameProduct(upc: "p2", name: "Renamed") { upc } }', alice))
        .status,
    ).toBe(200);
    const late = post(gateway.url, QUERY, alice);
    await Promise.all([early, late]);
    // The early top-products fetch, the mutation, and a top-products fetch of the late query's own.
    expect(products.count() - before).toBe(3);
  });
});

describe('differential: FAST_EXECUTION=false', () => {
  let subgraphs: BenchSubgraphs;
  let fast: TerrariumUnderTest;
  let stockOnly: TerrariumUnderTest;

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs();
    [fast, stockOnly] = await Promise.all([
      startTerrarium(subgraphs.supergraphSdl),
      startTerrarium(subgraphs.supergraphSdl, { FAST_EXECUTION: 'false' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fast?.close(), stockOnly?.close()]);
    await subgraphs?.close();
  });

  it('hands every operation to Apollo Gateway, with the same answers', async () => {
    const [a, b] = await Promise.all([post(fast.url, QUERY), post(stockOnly.url, QUERY)]);
    expect(b).toEqual(a);
    expect(
      stockOnly.server.metrics.registry.getSingleMetric('gateway_operation_executions_total'),
    ).toBeUndefined();
    expect(fast.server.metrics.registry.getSingleMetric('gateway_operation_executions_total')).toBeDefined();
  });
});
