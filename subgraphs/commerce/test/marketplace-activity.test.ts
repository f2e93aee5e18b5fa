import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import { MARKETPLACE_TOPIC, type MarketplaceEvent } from '../src/marketplace/activity.job.js';
import { BEA, ORG, animalId, animalListing, newKeeper, productId } from './support.js';
import { pay, checkoutOrder, startShop, type Shop } from './shipping-support.js';

const ACTIVITY = /* GraphQL */ `
  subscription {
    marketplaceActivity {
      kind
      at
      listing {
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
      }
      organization {
        id
      }
    }
  }
`;
const CREATE = 'mutation($input: CreateListingInput!) { createListing(input: $input) { id status } }';
const UPDATE =
  'mutation($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id status } }';

interface Activity {
  kind: string;
  at: string;
  listing: {
    id: string;
    status: string;
    price: { amount: number; currency: string };
    animal: { id: string } | null;
    product: { id: string } | null;
  };
  organization: { id: string };
}

/** Published by the test itself until the subscription is seen to be live; skipped afterwards. */
const NUDGE_AT = '2000-01-01T00:00:00.000Z';

describe('Subscription.marketplaceActivity', () => {
  let shop: Shop;
  let client: Client;
  let events: AsyncIterableIterator<{ data?: { marketplaceActivity: Activity } | null }>;

  beforeAll(async () => {
    shop = await startShop('commerce_activity');
    const url = (await shop.commerce.listen(0)).replace('http', 'ws');
    // Public: an anonymous caller (the gateway still signs who it is).
    client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { [CALLER_HEADER]: await signCaller(ANONYMOUS, process.env['INTERNAL_SECRET']!) },
    });
    events = client.iterate<{ marketplaceActivity: Activity }>({ query: ACTIVITY });
    // The subscription is live once an event gets through: until then, nudge with a made-up one.
    const first = events.next();
    let received = false;
    void first.then(() => (received = true));
    const nudge: MarketplaceEvent = {
      kind: 'LISTED',
      listingId: animalListing(7),
      organizationId: ORG.sunset,
      at: NUDGE_AT,
    };
    for (let i = 0; i < 200 && !received; i += 1) {
      await shop.commerce.events.publish(MARKETPLACE_TOPIC, nudge);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await first).value?.data?.marketplaceActivity.at).toBe(NUDGE_AT);
  });
  afterAll(async () => {
    await events?.return?.();
    await client?.dispose();
    await shop?.stop();
  });

  /** The next event a committed write caused (nudges still queued are skipped). */
  async function next(): Promise<Activity> {
    for (;;) {
      const { value } = await events.next();
      const activity = value?.data?.marketplaceActivity;
      if (!activity) throw new Error(`subscription ended or failed: ${JSON.stringify(value)}`);
      if (activity.at !== NUDGE_AT) return activity;
    }
  }

  it('tells everyone of new listings and sales, from committed writes only', async () => {
    // Rolled back (animal 7 already has an ACTIVE listing): no event.
    const refused = await execute(
      shop.commerce,
      CREATE,
      { input: { organizationId: ORG.sunset, animalId: animalId(7), priceAmount: 100 } },
      BEA,
    );
    expect(errorCodes(refused)).toEqual(['CONFLICT']);

    const started = Date.now();
    const created = await expectData<{ createListing: { id: string } }>(
      shop.commerce,
      CREATE,
      { input: { organizationId: ORG.sunset, animalId: animalId(1), priceAmount: 150_000 } },
      BEA,
    );
    const listed = await next();
    expect(listed).toEqual({
      kind: 'LISTED',
      at: expect.any(String),
      listing: {
        id: created.createListing.id,
        status: 'ACTIVE',
        price: { amount: 150_000, currency: 'EUR' },
        animal: { id: animalId(1) },
        product: null,
      },
      organization: { id: ORG.sunset },
    });
    expect(Date.parse(listed.at)).toBeGreaterThanOrEqual(started - 1_000);

    // None of these is news: a draft, a price change of a listing already on sale, an unpaid order.
    const draft = await expectData<{ createListing: { id: string } }>(
      shop.commerce,
      CREATE,
      {
        input: {
          organizationId: ORG.sunset,
          productId: productId('TR-HYGRO'),
          priceAmount: 1_199,
          status: 'DRAFT',
        },
      },
      BEA,
    );
    await expectData(
      shop.commerce,
      UPDATE,
      { id: created.createListing.id, input: { priceAmount: 140_000 } },
      BEA,
    );
    const buyer = newKeeper();
    const order = await checkoutOrder(shop.commerce, buyer, [{ listing: 10 }]);

    // Publishing the draft is: it is the next event, so nothing came from the writes above.
    await expectData(shop.commerce, UPDATE, { id: draft.createListing.id, input: { status: 'ACTIVE' } }, BEA);
    expect(await next()).toMatchObject({
      kind: 'LISTED',
      listing: { id: draft.createListing.id, product: { id: productId('TR-HYGRO') } },
      organization: { id: ORG.sunset },
    });

    await pay(shop.commerce, order.id, buyer);
    expect(await next()).toMatchObject({
      kind: 'SOLD',
      listing: {
        id: animalListing(10),
        status: 'SOLD',
        price: { amount: 24_900, currency: 'EUR' },
        animal: { id: animalId(10) },
      },
      organization: { id: ORG.sunset },
    });
  });
});
