import { randomUUID } from 'node:crypto';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADD_LISTING,
  ADDRESS,
  ORG,
  animalListing,
  productId,
  sql,
  startCommerce,
  type CommerceSubgraph,
} from './support.js';
import { siblingData, startSibling, type RunningSibling } from './siblings.js';

/**
 * A shop for the shipping tests: commerce on its own schema with the real products and inventory
 * subgraphs (over HTTP), and the operations the storefront and breeder dashboard send.
 */
export interface Shop {
  commerce: CommerceSubgraph;
  products: RunningSibling;
  inventory: RunningSibling;
  /** The Postgres schema of commerce's jobs (pg-boss), to look at what was enqueued. */
  jobsSchema: string;
  stop(): Promise<void>;
}

export async function startShop(schema: string): Promise<Shop> {
  const products = await startSibling('products', `${schema}_products`);
  const inventory = await startSibling('inventory', `${schema}_inventory`);
  const commerce = await startCommerce(schema, {
    urls: { products: products.url, inventory: inventory.url },
  });
  return {
    commerce,
    products,
    inventory,
    jobsSchema: `${schema}_jobs`,
    async stop() {
      await commerce.stop();
      await Promise.all([inventory.subgraph.stop(), products.subgraph.stop()]);
    },
  };
}

/** A member of Scales & Tails: a breeder, but not of Sunset Reptiles. */
export function scalesMember(): Caller {
  return { ...ANONYMOUS, userId: randomUUID(), roles: ['BREEDER'], organizationIds: [ORG.scales] };
}

export const CHECKOUT = /* GraphQL */ `
  mutation Checkout($key: String!, $address: AddressInput) {
    checkout(idempotencyKey: $key, shippingAddress: $address) {
      id
      status
    }
  }
`;

export const ORDER = /* GraphQL */ `
  query Order($id: ID!) {
    order(id: $id) {
      id
      status
      shippingAddress {
        name
        line1
        line2
        city
        postalCode
        country
      }
      shipments {
        id
        status
        seller {
          id
        }
        carrier
        trackingNumber
        shippedAt
        deliveredAt
        order {
          id
        }
        lines {
          quantity
          listing {
            id
          }
          product {
            id
          }
        }
      }
      statusHistory {
        from
        to
        changedBy {
          id
        }
      }
    }
  }
`;

export const ORG_SHIPMENTS = /* GraphQL */ `
  query OrgShipments($org: ID!, $status: ShipmentStatus, $first: Int, $after: String) {
    _entities(representations: [{ __typename: "Organization", id: $org }]) {
      ... on Organization {
        shipments(status: $status, first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              status
              order {
                id
                status
                placedAt
                shippingAddress {
                  name
                  city
                  country
                }
                buyer {
                  id
                }
              }
              lines {
                quantity
                listing {
                  id
                  animal {
                    id
                  }
                }
                product {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`;

export const SHIP = /* GraphQL */ `
  mutation Ship($id: ID!, $carrier: String!, $tracking: String!) {
    shipShipment(id: $id, carrier: $carrier, trackingNumber: $tracking) {
      id
      status
      carrier
      trackingNumber
      shippedAt
    }
  }
`;

export const CONFIRM =
  'mutation Confirm($id: ID!) { confirmDelivery(shipmentId: $id) { id status deliveredAt } }';

export interface ShipmentData {
  id: string;
  status: string;
  seller: { id: string } | null;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  order: { id: string };
  lines: { quantity: number; listing: { id: string } | null; product: { id: string } | null }[];
}

export interface OrderData {
  id: string;
  status: string;
  shippingAddress: Record<string, string | null> | null;
  shipments: ShipmentData[];
  statusHistory: { from: string | null; to: string; changedBy: { id: string } | null }[];
}

export type Item = { sku: string; quantity: number } | { listing: number };

/** Fills the buyer's cart and checks it out with ADDRESS; the placed order. */
export async function placeOrder(
  commerce: CommerceSubgraph,
  buyer: Caller,
  items: Item[],
): Promise<OrderData> {
  for (const item of items) {
    const variables =
      'sku' in item
        ? { productId: productId(item.sku), quantity: item.quantity }
        : { listingId: animalListing(item.listing) };
    await expectData(commerce, ADD_LISTING, variables, buyer);
  }
  const { checkout } = await expectData<{ checkout: { id: string } }>(
    commerce,
    CHECKOUT,
    { key: randomUUID(), address: ADDRESS },
    buyer,
  );
  return orderOf(commerce, checkout.id, buyer);
}

export async function orderOf(
  commerce: CommerceSubgraph,
  orderId: string,
  caller: Caller,
): Promise<OrderData> {
  return (await expectData<{ order: OrderData }>(commerce, ORDER, { id: orderId }, caller)).order;
}

/** Pays through the development provider: PENDING -> PAID. */
export async function pay(commerce: CommerceSubgraph, orderId: string, buyer: Caller): Promise<void> {
  await expectData(
    commerce,
    'mutation($id: ID!) { payOrder(orderId: $id) { status } }',
    { id: orderId },
    buyer,
  );
}

export function sellerShipment(order: OrderData, sellerId: string | null): ShipmentData {
  const shipment = order.shipments.find((s) => (s.seller?.id ?? null) === sellerId);
  if (!shipment) throw new Error(`no shipment of seller ${sellerId} in order ${order.id}`);
  return shipment;
}

/** The payloads of `queue`'s jobs (any state) whose payload matches `where` (a jsonb containment). */
export function jobPayloads<T>(shop: Shop, queue: string, where: Record<string, unknown>): Promise<T[]> {
  return sql<{ data: T }>(
    shop.commerce,
    `select data from "${shop.jobsSchema}".job where name = ? and data @> ?::jsonb order by created_on`,
    [queue, JSON.stringify(where)],
  ).then((rows) => rows.map((row) => row.data));
}

/** The animals inventory has `keeper` keep (User.animals), as the keeper sees them. */
export async function keptAnimals(shop: Shop, keeper: Caller): Promise<string[]> {
  const data = await siblingData<{ _entities: { animals: { edges: { node: { id: string } }[] } }[] }>(
    shop.inventory,
    'query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { animals(first: 100) { edges { node { id } } } } } }',
    { id: keeper.userId },
    keeper,
  );
  return data._entities[0]!.animals.edges.map((edge) => edge.node.id);
}
