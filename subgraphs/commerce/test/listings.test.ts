import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  BEA,
  KEEPER,
  ORG,
  STAFF,
  animalId,
  animalListing,
  productId,
  productListing,
  startCommerce,
  type CommerceSubgraph,
} from './support.js';

const ORG_LISTINGS = /* GraphQL */ `
  query OrgListings($id: ID!, $first: Int, $after: String, $status: ListingStatus) {
    _entities(representations: [{ __typename: "Organization", id: $id }]) {
      ... on Organization {
        listings(first: $first, after: $after, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            cursor
            node {
              id
              status
              price {
                amount
                currency
              }
              animal {
                id
              }
              product {
                id
              }
              organization {
                id
              }
            }
          }
        }
      }
    }
  }
`;

interface ListingsPage {
  _entities: {
    listings: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: {
        cursor: string;
        node: {
          id: string;
          status: string;
          price: { amount: number; currency: string };
          animal: { id: string } | null;
          product: { id: string } | null;
          organization: { id: string };
        };
      }[];
    };
  }[];
}

describe('listings', () => {
  let commerce: CommerceSubgraph;
  beforeAll(async () => {
    commerce = await startCommerce('commerce_listings');
  });
  afterAll(async () => {
    await commerce.stop();
  });

  it('resolves a Listing by its @key, with its price, animal and organization', async () => {
    const data = await expectData<{ _entities: unknown[] }>(
      commerce,
      `query($id: ID!) { _entities(representations: [{ __typename: "Listing", id: $id }]) { ... on Listing { id status price { amount currency } animal { id } product { id } organization { id } createdAt } } }`,
      { id: animalListing(7) },
    );
    expect(data._entities).toEqual([
      {
        id: animalListing(7),
        status: 'ACTIVE',
        price: { amount: 44_900, currency: 'EUR' },
        animal: { id: animalId(7) },
        product: null,
        organization: { id: ORG.sunset },
        createdAt: '2026-11-01T08:00:00.000Z',
      },
    ]);
  });

  it('resolves an Animal by its @key to its current listing, and null for an animal that is not offered', async () => {
    const data = await expectData<{
      _entities: { id: string; listing: { id: string; status: string } | null }[];
    }>(
      commerce,
      `query($a: ID!, $b: ID!) { _entities(representations: [{ __typename: "Animal", id: $a }, { __typename: "Animal", id: $b }]) { ... on Animal { id listing { id status } } } }`,
      { a: animalId(8), b: animalId(1) },
    );
    expect(data._entities).toEqual([
      { id: animalId(8), listing: { id: animalListing(8), status: 'ACTIVE' } },
      { id: animalId(1), listing: null },
    ]);
  });

  it("pages an Organization's listings newest first, with a cursor and a total", async () => {
    const first = await expectData<ListingsPage>(commerce, ORG_LISTINGS, { id: ORG.sunset, first: 4 });
    const page = first._entities[0]!.listings;
    // Sunset Reptiles: animals 7, 10, 13, 16, 19, 22 and five supplies.
    expect(page.totalCount).toBe(11);
    expect(page.edges.map((edge) => edge.node.animal?.id)).toEqual([
      animalId(22),
      animalId(19),
      animalId(16),
      animalId(13),
    ]);
    expect(page.pageInfo.hasNextPage).toBe(true);

    const rest = await expectData<ListingsPage>(commerce, ORG_LISTINGS, {
      id: ORG.sunset,
      first: 20,
      after: page.pageInfo.endCursor,
    });
    const nodes = rest._entities[0]!.listings.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(7);
    expect(nodes.slice(0, 2).map((node) => node.animal?.id)).toEqual([animalId(10), animalId(7)]);
    expect(nodes[2]).toMatchObject({
      product: { id: productId('TR-CALC-D3') },
      price: { amount: 949, currency: 'EUR' },
      organization: { id: ORG.sunset },
    });
    expect(rest._entities[0]!.listings.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a malformed cursor and an oversized page as BAD_USER_INPUT', async () => {
    expect(errorCodes(await execute(commerce, ORG_LISTINGS, { id: ORG.sunset, after: 'bm9wZQ' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await execute(commerce, ORG_LISTINGS, { id: ORG.sunset, first: 101 }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('keeps DRAFT listings to members: hidden from the public, FORBIDDEN when asked for', async () => {
    const draft = await expectData<{ updateListing: { status: string; price: { amount: number } } }>(
      commerce,
      'mutation($id: ID!) { updateListing(id: $id, input: { status: DRAFT, priceAmount: 45900 }) { status price { amount } } }',
      { id: animalListing(7) },
      BEA,
    );
    expect(draft.updateListing).toEqual({ status: 'DRAFT', price: { amount: 45_900 } });

    const listing = `query($id: ID!) { listing(id: $id) { id status } }`;
    expect(
      (await expectData<{ listing: unknown }>(commerce, listing, { id: animalListing(7) }, KEEPER)).listing,
    ).toBeNull();
    expect(
      (await expectData<{ listing: unknown }>(commerce, listing, { id: animalListing(7) }, BEA)).listing,
    ).toEqual({ id: animalListing(7), status: 'DRAFT' });
    expect(
      errorCodes(await execute(commerce, ORG_LISTINGS, { id: ORG.sunset, status: 'DRAFT' }, KEEPER)),
    ).toEqual(['FORBIDDEN']);
    const drafts = await expectData<ListingsPage>(
      commerce,
      ORG_LISTINGS,
      { id: ORG.sunset, status: 'DRAFT' },
      STAFF,
    );
    expect(drafts._entities[0]!.listings.edges.map((edge) => edge.node.id)).toEqual([animalListing(7)]);
    const publicPage = await expectData<ListingsPage>(
      commerce,
      ORG_LISTINGS,
      { id: ORG.sunset, first: 50 },
      ANONYMOUS,
    );
    expect(publicPage._entities[0]!.listings.totalCount).toBe(10);

    await expectData(
      commerce,
      'mutation($id: ID!) { updateListing(id: $id, input: { status: ACTIVE, priceAmount: 44900 }) { id } }',
      { id: animalListing(7) },
      BEA,
    );
    // Each change is owed to ops' audit log with its actor and diff, in the change's transaction.
    const audits = await commerce.orm.em
      .fork()
      .getConnection()
      .execute<{ data: Record<string, unknown> }[]>(
        `select data, created_on from "${commerce.jobs.schema}".job where name = 'audit.record' and data->>'subject' = ?
          union all select data, created_on from "${commerce.jobs.schema}".archive where name = 'audit.record' and data->>'subject' = ?
          order by created_on`,
        [`Listing:${animalListing(7)}`, `Listing:${animalListing(7)}`],
        'all',
      );
    expect(audits.map((row) => row.data)).toEqual([
      expect.objectContaining({
        actor: BEA.userId,
        action: 'updateListing',
        diff: expect.objectContaining({ to: { status: 'DRAFT', priceAmount: 45_900, currency: 'EUR' } }),
      }),
      expect.objectContaining({
        actor: BEA.userId,
        action: 'updateListing',
        diff: expect.objectContaining({
          from: expect.objectContaining({ status: 'DRAFT' }),
          to: { status: 'ACTIVE', priceAmount: 44_900, currency: 'EUR' },
        }),
      }),
    ]);
  });

  it("lets only the organization's members and staff change a listing", async () => {
    const update = 'mutation($id: ID!) { updateListing(id: $id, input: { priceAmount: 1 }) { id } }';
    expect(errorCodes(await execute(commerce, update, { id: animalListing(8) }, BEA))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(commerce, update, { id: animalListing(8) }, ANONYMOUS))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(errorCodes(await execute(commerce, update, { id: 'not-a-uuid' }, BEA))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($id: ID!) { updateListing(id: $id, input: { status: SOLD }) { id } }',
          { id: productListing('TR-MICE-F') },
          BEA,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('answers a malformed listing id with BAD_USER_INPUT, not a 500', async () => {
    const result = await execute(commerce, 'query { listing(id: "42") { id } }');
    expect(result.errors[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});
