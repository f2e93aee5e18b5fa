/**
 * One subgraph's outage costs only its own fields: with community, media or inventory stopped, the
 * contract's ProductPage, AnimalPage and BreederPage still answer every field the other subgraphs
 * own (exactly as before the outage), the stopped subgraph's fields are null, and `errors` says
 * what failed. Real processes over real HTTP through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import {
  contractOperation,
  gql,
  startPlatform,
  type GraphQLResponse,
  type Platform,
  type SubgraphName,
} from './support/platform.js';

let platform: Platform;
type Json = Record<string, any>;

const PAGES = {
  ProductPage: { variables: { slug: 'ceramic-heat-emitter-100w' }, root: 'product', owner: 'products' },
  AnimalPage: { variables: { id: seedId('animal:7') }, root: 'animal', owner: 'inventory' },
  BreederPage: { variables: { slug: 'sunset-reptiles' }, root: 'organization', owner: 'ops' },
} as const;
type Page = keyof typeof PAGES;

/** The baseline answer with the fields `down` owns set to null: what the page must still show. */
function withoutFieldsOf(page: Page, down: SubgraphName, data: Json): Json {
  const copy = structuredClone(data);
  const product = copy['product'];
  const animal = copy['animal'];
  const org = copy['organization'];
  const listings: Json[] = org?.listings?.edges?.map((edge: Json) => edge['node']) ?? [];
  const nulls: Record<Page, Partial<Record<SubgraphName, () => void>>> = {
    ProductPage: {
      media: () => (product.images = null),
      inventory: () => (product.stock = null),
      community: () => Object.assign(product, { averageRating: null, reviewCount: null, reviews: null }),
    },
    AnimalPage: {
      media: () => (animal.photos = null),
      community: () => (animal.breeder.averageRating = null),
    },
    BreederPage: {
      media: () => {
        org.logo = null;
        for (const listing of listings) if (listing['animal']) listing['animal'].photos = null;
      },
      // A listing's animal is inventory's: its name and species go with it; the listing stays.
      inventory: () => {
        for (const listing of listings) if (listing['animal']) listing['animal'] = null;
      },
      community: () => Object.assign(org, { averageRating: null, reviewCount: null }),
    },
  };
  nulls[page][down]?.();
  return copy;
}

async function ask(page: Page): Promise<GraphQLResponse> {
  const client = 'storefront';
  return gql(platform.gatewayUrl, contractOperation(client, page), PAGES[page].variables);
}

const baseline: Partial<Record<Page, Json>> = {};

beforeAll(async () => {
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'inventory', 'commerce', 'media', 'community'],
    // What an outage costs when the gateway must ask: its entity cache would answer the warm
    // pages whole (test/entity-cache.test.ts shows that).
    env: { ENTITY_CACHE: 'false' },
  });
  // The baseline is every page whole; on a loaded machine a just-started subgraph may need a moment.
  for (const page of Object.keys(PAGES) as Page[]) {
    const deadline = Date.now() + 60_000;
    let { body } = await ask(page);
    while (body.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      ({ body } = await ask(page));
    }
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    baseline[page] = body.data;
  }
}, 300_000);
afterAll(async () => {
  await platform?.stop();
});

/** Whether an error names `subgraph` in its message or its extensions (serviceName, subgraph, ...). */
function namesSubgraph(errors: GraphQLResponse['body']['errors'], subgraph: string): boolean {
  const word = new RegExp(`\\b${subgraph}\\b`, 'i');
  return (errors ?? []).some(
    (error) =>
      word.test(error.message) ||
      Object.values(error.extensions ?? {}).some((value) => typeof value === 'string' && word.test(value)),
  );
}

describe.each(['community', 'media', 'inventory'] as const)('with %s stopped', (down) => {
  let port: number;
  beforeAll(async () => {
    port = await platform.stopSubgraph(down);
  }, 30_000);
  afterAll(async () => {
    await platform.startSubgraph(down, { port });
    // Back where the gateway expects it: the pages are whole again.
    for (const page of Object.keys(PAGES) as Page[]) {
      const { body } = await ask(page);
      expect(body.errors, `${page} after ${down} came back`).toBeUndefined();
      expect(body.data).toEqual(baseline[page]);
    }
  }, 200_000);

  it.each(Object.keys(PAGES) as Page[])('%s keeps every field the other subgraphs own', async (page) => {
    const { status, body } = await ask(page);
    expect(status).toBe(200);
    if (PAGES[page].owner === down) {
      // The page's own entity is down's: nothing to keep, but the answer says why.
      expect(body.data?.[PAGES[page].root] ?? null).toBeNull();
      expect(body.errors?.length).toBeGreaterThan(0);
      return;
    }
    expect(body.data).toEqual(withoutFieldsOf(page, down, baseline[page]!));
    expect(body.errors?.length, `${page} with ${down} down must report an error`).toBeGreaterThan(0);
    // The gateway names the subgraph that failed (message and extensions.serviceName).
    expect(namesSubgraph(body.errors, down), JSON.stringify(body.errors)).toBe(true);
  });
});
