/**
 * animalSearch on real Postgres over the demo animals: filters read from the words, species,
 * sex, genes (any of a list, het or visual), age, price (commerce's reports), breeder and status;
 * sorts; facets that count with every other filter; the price reports' rules.
 */
import { execute, expectData, expectErrorCode, serviceCaller } from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG, STAFF, animalId, startInventory, type InventorySubgraph } from './support.js';

const SEARCH = /* GraphQL */ `
  query (
    $text: String!
    $first: Int
    $after: String
    $filters: AnimalSearchFilters
    $sort: AnimalSearchSort
    $interpret: Boolean
  ) {
    animalSearch(
      text: $text
      first: $first
      after: $after
      filters: $filters
      sort: $sort
      interpret: $interpret
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      interpretedAs {
        text
        filters {
          field
          value
        }
      }
      facets {
        field
        buckets {
          value
          count
        }
      }
      edges {
        node {
          name
          sex
          morph
          species {
            commonName
          }
        }
      }
    }
  }
`;
const PRICES = 'mutation ($prices: [ListingPriceInput!]!) { recordListingPrices(prices: $prices) }';
const COMMERCE = serviceCaller('commerce');

interface Result {
  animalSearch: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    interpretedAs: { text: string; filters: { field: string; value: string }[] };
    facets: { field: string; buckets: { value: string; count: number }[] }[];
    edges: { node: { name: string; sex: string; morph: string | null; species: { commonName: string } } }[];
  };
}

let inventory: InventorySubgraph;
const search = (variables: Record<string, unknown>) =>
  expectData<Result>(inventory, SEARCH, { first: 50, ...variables }).then((r) => r.animalSearch);
const names = (r: Result['animalSearch']) => r.edges.map((e) => e.node.name);
const facet = (r: Result['animalSearch'], field: string) =>
  Object.fromEntries(r.facets.find((f) => f.field === field)!.buckets.map((b) => [b.value, b.count]));
const price = (n: number, amount: number | null, asOf = '2026-03-01T10:00:00Z') => ({
  animalId: animalId(n),
  amount,
  currency: amount === null ? null : 'EUR',
  asOf,
});

beforeAll(async () => {
  inventory = await startInventory('inventory_animal_search_test');
  // Corn snakes: Maple 85, Nova 99, Rosie 120 euros; Cinder 60; Juniper has no listing.
  await expectData(
    inventory,
    PRICES,
    { prices: [price(20, 8_500), price(23, 9_900), price(21, 12_000), price(19, 6_000)] },
    COMMERCE,
  );
});
afterAll(async () => {
  await inventory?.stop();
});

describe('animalSearch: filters read from the words', () => {
  it('reads "female corn snake under 100" as species, sex and a price bound in minor units', async () => {
    const found = await search({ text: 'female corn snake under 100' });
    expect(found.interpretedAs).toEqual({
      text: '',
      filters: [
        { field: 'species', value: 'Corn snake' },
        { field: 'sex', value: 'FEMALE' },
        { field: 'maxPrice', value: '10000' },
      ],
    });
    expect(names(found).sort()).toEqual(['Maple', 'Nova']);
    // interpret: false keeps every word as text: no animal's text has "under" in it.
    expect((await search({ text: 'female corn snake under 100', interpret: false })).totalCount).toBe(0);
  });

  it('lets an explicit filter override a read one', async () => {
    const found = await search({ text: 'female corn snake', filters: { sex: 'MALE' } });
    expect(found.interpretedAs.filters).toEqual([{ field: 'species', value: 'Corn snake' }]);
    expect(
      found.edges.every((e) => e.node.sex === 'MALE' && e.node.species.commonName === 'Corn snake'),
    ).toBe(true);
    expect(found.totalCount).toBe(4);
  });
});

describe('animalSearch: filters', () => {
  it('matches any of a gene list, het or visual, case-insensitively', async () => {
    expect(names(await search({ text: '', filters: { genes: ['het clown'] } })).sort()).toEqual([
      'Clementine',
      'Pebble',
      'Saffron',
      'Selene',
    ]);
    expect(
      names(await search({ text: '', filters: { genes: ['Het Clown', 'HET ECLIPSE'] } })).sort(),
    ).toEqual(['Clementine', 'Mango', 'Pebble', 'Saffron', 'Selene']);
  });

  it('filters by words, age, breeder, price range and status', async () => {
    expect(names(await search({ text: 'amel anery' })).sort()).toEqual([
      'Cinder',
      'Juniper',
      'Maple',
      'Nova',
      'Pumpkin',
      'Rio',
      'Rosie',
      'Rusty',
    ]);
    expect(names(await search({ text: '', filters: { minAgeMonths: 60 } })).sort()).toEqual([
      'Apollo',
      'Frost',
      'Juniper',
      'Mango',
      'Rusty',
      'Selene',
    ]);
    expect(names(await search({ text: 'corn snake', filters: { breederId: ORG.sunset } })).sort()).toEqual([
      'Cinder',
      'Pumpkin',
    ]);
    expect(names(await search({ text: '', filters: { minPrice: 9_000, maxPrice: 12_000 } })).sort()).toEqual([
      'Nova',
      'Rosie',
    ]);
    expect(names(await search({ text: 'corn snake', filters: { status: 'HOLDBACK' } })).sort()).toEqual([
      'Juniper',
      'Rusty',
    ]);
  });

  it('refuses bad filters with BAD_USER_INPUT', async () => {
    await expectErrorCode(inventory, 'BAD_USER_INPUT', SEARCH, {
      text: '',
      filters: { minPrice: 5, maxPrice: 1 },
    });
    await expectErrorCode(inventory, 'BAD_USER_INPUT', SEARCH, { text: '', filters: { breederId: 'nope' } });
    await expectErrorCode(inventory, 'BAD_USER_INPUT', SEARCH, { text: 'x'.repeat(201) });
  });
});

describe('animalSearch: sorts and facets', () => {
  it('sorts by price (unlisted last), by hatch date (youngest first) and pages without gaps', async () => {
    expect(names(await search({ text: 'corn snake', sort: 'PRICE_ASC', first: 4 }))).toEqual([
      'Cinder',
      'Maple',
      'Nova',
      'Rosie',
    ]);
    expect(names(await search({ text: 'corn snake', sort: 'PRICE_DESC', first: 4 }))).toEqual([
      'Rosie',
      'Nova',
      'Maple',
      'Cinder',
    ]);
    expect(names(await search({ text: '', sort: 'HATCH_DATE', first: 2 })).sort()).toEqual([
      'Kiwi',
      'Nimbus',
    ]);
    for (const sort of ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'HATCH_DATE']) {
      const all = names(await search({ text: '', sort }));
      const paged: string[] = [];
      let after: string | null = null;
      do {
        const page = await search({ text: '', sort, first: 5, after });
        paged.push(...names(page));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(paged).toEqual(all);
      expect(paged).toHaveLength(24);
    }
  });

  it('counts species, morph and sex, each with every other filter applied', async () => {
    const females = await search({ text: 'corn snake', filters: { sex: 'FEMALE' } });
    expect(facet(females, 'sex')).toEqual({ FEMALE: 4, MALE: 4 });
    expect(facet(females, 'morph')).toEqual({ 'Anery Het Amel': 2, 'Amel Het Anery': 1, Snow: 1 });
    expect(females.interpretedAs.filters).toEqual([{ field: 'species', value: 'Corn snake' }]);
    const femaleSpecies = await search({ text: '', filters: { sex: 'FEMALE' } });
    expect(facet(femaleSpecies, 'species')).toEqual({
      'Ball python': 4,
      'Corn snake': 4,
      'Leopard gecko': 3,
    });
  });
});

describe('listing price reports', () => {
  it('come from commerce only and the newest wins', async () => {
    await expectErrorCode(inventory, 'FORBIDDEN', PRICES, { prices: [price(24, 1)] }, STAFF);
    await execute(inventory, PRICES, { prices: [price(24, 5_000, '2026-03-05T10:00:00Z')] }, COMMERCE);
    await execute(inventory, PRICES, { prices: [price(24, 50, '2026-03-04T10:00:00Z')] }, COMMERCE);
    expect(names(await search({ text: 'rio', filters: { minPrice: 4_000 } }))).toEqual(['Rio']);
    // Withdrawn: no open listing, no price.
    await execute(inventory, PRICES, { prices: [price(24, null, '2026-03-06T10:00:00Z')] }, COMMERCE);
    expect((await search({ text: 'rio', filters: { minPrice: 0 } })).totalCount).toBe(0);
  });
});
