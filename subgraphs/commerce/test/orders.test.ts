import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller, type Caller } from '@terrarium/platform/caller';
import type { GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  KEEPER,
  KEEPER_ORDER,
  STAFF,
  newKeeper,
  productId,
  startCommerce,
  type CommerceSubgraph,
} from './support.js';

const USER_ORDERS = /* GraphQL */ `
  query UserOrders($id: ID!, $first: Int) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User {
        orders(first: $first) {
          totalCount
          edges {
            node {
              id
              status
              placedAt
              total {
                amount
                currency
              }
            }
          }
        }
      }
    }
  }
`;

const ORDER = /* GraphQL */ `
  query Order($id: ID!) {
    _entities(representations: [{ __typename: "Order", id: $id }]) {
      ... on Order {
        id
        status
        placedAt
        coupon
        buyer {
          id
        }
        subtotal {
          amount
          currency
        }
        discount {
          amount
        }
        total {
          amount
        }
        lines {
          quantity
          unitPrice {
            amount
            currency
          }
          product {
            id
          }
          listing {
            id
          }
        }
        statusHistory {
          from
          to
          changedAt
          changedBy {
            id
          }
        }
      }
    }
  }
`;

const UPDATE_STATUS =
  'mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(orderId: $id, status: $status) { id status } }';

describe('orders', () => {
  let commerce: CommerceSubgraph;
  beforeAll(async () => {
    commerce = await startCommerce('commerce_orders');
  });
  afterAll(async () => {
    await commerce.stop();
  });

  it("lists a user's orders to the user themself and staff, FORBIDDEN to anyone else", async () => {
    const own = await expectData<{
      _entities: { orders: { totalCount: number; edges: { node: unknown }[] } }[];
    }>(commerce, USER_ORDERS, { id: KEEPER.userId }, KEEPER);
    expect(own._entities[0]!.orders).toEqual({
      totalCount: 1,
      edges: [
        {
          node: {
            id: KEEPER_ORDER,
            status: 'DELIVERED',
            placedAt: '2026-10-05T14:12:00.000Z',
            total: { amount: 9_176, currency: 'EUR' },
          },
        },
      ],
    });
    expect(
      (await expectData<{ _entities: unknown[] }>(commerce, USER_ORDERS, { id: KEEPER.userId }, STAFF))
        ._entities,
    ).toHaveLength(1);
    expect(errorCodes(await execute(commerce, USER_ORDERS, { id: KEEPER.userId }, newKeeper()))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await execute(commerce, USER_ORDERS, { id: KEEPER.userId }, ANONYMOUS))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(
      errorCodes(await execute(commerce, USER_ORDERS, { id: KEEPER.userId, first: -1 }, KEEPER)),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('resolves an Order by its @key, with frozen prices and its history, for its buyer only', async () => {
    const data = await expectData<{ _entities: unknown[] }>(commerce, ORDER, { id: KEEPER_ORDER }, KEEPER);
    expect(data._entities[0]).toEqual({
      id: KEEPER_ORDER,
      status: 'DELIVERED',
      placedAt: '2026-10-05T14:12:00.000Z',
      coupon: 'WELCOME10',
      buyer: { id: KEEPER.userId },
      subtotal: { amount: 10_196, currency: 'EUR' },
      discount: { amount: 1_020 },
      total: { amount: 9_176 },
      lines: [
        {
          quantity: 1,
          unitPrice: { amount: 2_499, currency: 'EUR' },
          product: { id: productId('TR-HEAT-100') },
          listing: null,
        },
        {
          quantity: 1,
          unitPrice: { amount: 4_499, currency: 'EUR' },
          product: { id: productId('TR-THERM-DIG') },
          listing: null,
        },
        {
          quantity: 2,
          unitPrice: { amount: 1_599, currency: 'EUR' },
          product: { id: productId('TR-HIDE-M') },
          listing: null,
        },
      ],
      statusHistory: [
        {
          from: null,
          to: 'PENDING',
          changedAt: '2026-10-05T14:12:00.000Z',
          changedBy: { id: KEEPER.userId },
        },
        {
          from: 'PENDING',
          to: 'PAID',
          changedAt: '2026-10-05T14:13:10.000Z',
          changedBy: { id: KEEPER.userId },
        },
        {
          from: 'PAID',
          to: 'SHIPPED',
          changedAt: '2026-10-06T09:30:00.000Z',
          changedBy: { id: STAFF.userId },
        },
        {
          from: 'SHIPPED',
          to: 'DELIVERED',
          changedAt: '2026-10-08T11:05:00.000Z',
          changedBy: { id: STAFF.userId },
        },
      ],
    });
    expect(errorCodes(await execute(commerce, ORDER, { id: KEEPER_ORDER }, newKeeper()))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('refuses an illegal status transition as CONFLICT, and non-staff as FORBIDDEN', async () => {
    const illegal = await commerce.execute(
      { query: UPDATE_STATUS, variables: { id: KEEPER_ORDER, status: 'PENDING' } },
      STAFF,
    );
    const errors = illegal.body.kind === 'single' ? illegal.body.singleResult.errors : undefined;
    expect(errors?.[0]).toMatchObject({
      message: 'An order that is DELIVERED cannot become PENDING (it can become REFUNDED).',
      extensions: { code: 'CONFLICT', status: 'DELIVERED' },
    });
    expect(
      errorCodes(await execute(commerce, UPDATE_STATUS, { id: KEEPER_ORDER, status: 'SHIPPED' }, STAFF)),
    ).toEqual(['CONFLICT']);
    expect(
      errorCodes(await execute(commerce, UPDATE_STATUS, { id: KEEPER_ORDER, status: 'REFUNDED' }, KEEPER)),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($id: ID!) { cancelOrder(orderId: $id) { id } }',
          { id: KEEPER_ORDER },
          KEEPER,
        ),
      ),
    ).toEqual(['CONFLICT']);
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($id: ID!) { cancelOrder(orderId: $id) { id } }',
          { id: KEEPER_ORDER },
          newKeeper(),
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(commerce, UPDATE_STATUS, { id: 'x', status: 'PAID' }, STAFF))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  describe('Subscription.orderStatusChanged', () => {
    let url: string;
    beforeAll(async () => {
      url = (await commerce.listen(0)).replace('http', 'ws');
    });

    async function subscribe(caller: Caller) {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { [CALLER_HEADER]: await signCaller(caller, process.env['INTERNAL_SECRET']!) },
      });
      const events = client.iterate<{ orderStatusChanged: { id: string; status: string } }>({
        query:
          'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status statusHistory { to } } }',
        variables: { id: KEEPER_ORDER },
      });
      return { client, events };
    }

    it('emits every status change of the order to its buyer', async () => {
      const { client, events } = await subscribe(KEEPER);
      // The subscription is live once an event gets through: until then, nudge with the current state.
      const first = events.next();
      let received = false;
      void first.then(() => (received = true));
      for (let i = 0; i < 200 && !received; i += 1) {
        await commerce.events.publish(`orderStatusChanged:${KEEPER_ORDER}`, { id: KEEPER_ORDER });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await first).value?.data?.orderStatusChanged).toMatchObject({
        id: KEEPER_ORDER,
        status: 'DELIVERED',
      });

      await expectData(commerce, UPDATE_STATUS, { id: KEEPER_ORDER, status: 'REFUNDED' }, STAFF);
      let next = await events.next();
      // Nudges published before the subscription was seen may still be queued.
      while (next.value?.data?.orderStatusChanged.status === 'DELIVERED') next = await events.next();
      expect(next.value?.data?.orderStatusChanged).toMatchObject({ id: KEEPER_ORDER, status: 'REFUNDED' });
      await events.return?.();
      await client.dispose();
    });

    it("refuses another user's subscription as FORBIDDEN", async () => {
      const { client, events } = await subscribe(newKeeper());
      const refused = await events.next();
      expect(refused.value?.data ?? null).toBeNull();
      expect(
        refused.value?.errors?.map((error: GraphQLFormattedError) => error.extensions?.['code']),
      ).toEqual(['FORBIDDEN']);
      await client.dispose();
    });
  });
});
