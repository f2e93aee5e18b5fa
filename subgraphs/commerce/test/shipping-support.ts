import { randomUUID } from 'node:crypto';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { ORG, sql, type CommerceSubgraph } from './support.js';
import { siblingData } from './siblings.js';
import { payAndSettle, placeOrder, startShop, type Item, type Shop } from './shop.js';

/**
 * The shipping tests' vocabulary, over the payment tests' shop (shop.ts: commerce with the real
 * products and inventory subgraphs over HTTP): the operations the storefront and the breeder
 * dashboard send, and what commerce owes other subgraphs (its jobs).
 */
export { startShop, type Item, type Shop };

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

/** Fills the buyer's cart and checks it out (shipping to ADDRESS); the placed order with its shipments. */
export async function checkoutOrder(
  commerce: CommerceSubgraph,
  buyer: Caller,
  items: Item[],
): Promise<OrderData> {
  return orderOf(commerce, (await placeOrder(commerce, buyer, items)).id, buyer);
}

export async function orderOf(
  commerce: CommerceSubgraph,
  orderId: string,
  caller: Caller,
): Promise<OrderData> {
  return (await expectData<{ order: OrderData }>(commerce, ORDER, { id: orderId }, caller)).order;
}

/** Pays and waits until the payment settled (the order PAID, its reservation committed). */
export function pay(commerce: CommerceSubgraph, orderId: string, buyer: Caller): Promise<void> {
  return payAndSettle(commerce, buyer, orderId);
}

export function sellerShipment(order: OrderData, sellerId: string | null): ShipmentData {
  const shipment = order.shipments.find((s) => (s.seller?.id ?? null) === sellerId);
  if (!shipment) throw new Error(`no shipment of seller ${sellerId} in order ${order.id}`);
  return shipment;
}

/**
 * The payloads of `queue`'s jobs whose payload contains `where` (jsonb containment), in any state:
 * waiting, done or archived.
 */
export async function jobPayloads<T>(
  shop: Shop,
  queue: string,
  where: Record<string, unknown>,
): Promise<T[]> {
  const schema = shop.commerce.jobs.schema;
  const rows = await sql<{ data: T }>(
    shop.commerce,
    `select data, created_on from "${schema}".job where name = ? and data @> ?::jsonb
      union all select data, created_on from "${schema}".archive where name = ? and data @> ?::jsonb order by created_on`,
    [queue, JSON.stringify(where), queue, JSON.stringify(where)],
  );
  return rows.map((row) => row.data);
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
