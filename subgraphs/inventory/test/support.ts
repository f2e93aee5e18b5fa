import type { Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { demoCallers, expectData, serviceCaller } from '@terrarium/subgraph-kit/testing';
import type { Loaders } from '../src/loaders/index.js';
import { createInventorySubgraph } from '../src/subgraph.js';

export type InventorySubgraph = Subgraph<Loaders>;

/**
 * The inventory subgraph on its own Postgres schema of the run's fresh database, seeded with the
 * demo data. `redis: false` uses the in-process event bus: a subscription is then registered the
 * moment it is first read, so a test can publish right after without waiting.
 */
export async function startInventory(
  schema: string,
  options: { redis?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<InventorySubgraph> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INVENTORY_DATABASE_SCHEMA: schema,
    INVENTORY_PORT: '0',
    SEED_DEMO: 'true',
    ...options.env,
  };
  if (options.redis === false) {
    env['REDIS_URL'] = '';
    env['INVENTORY_REDIS_URL'] = '';
  }
  return createInventorySubgraph(loadSubgraphConfig('inventory', env));
}

export const ORG = {
  sunset: seedId('org:sunset-reptiles'),
  scales: seedId('org:scales-and-tails'),
  desert: seedId('org:desert-morphs'),
};

export const { staff: STAFF, breeder: BEA, keeper: KEEPER } = demoCallers;
export const COMMERCE: Caller = serviceCaller('commerce');

export const animalId = (n: number): string => seedId(`animal:${n}`);
export const productId = (sku: string): string => seedId(`product:${sku}`);
export const speciesId = (slug: string): string => seedId(`species:${slug}`);

export const STOCK_OF = /* GraphQL */ `
  query StockOf($id: ID!) {
    _entities(representations: [{ __typename: "Product", id: $id }]) {
      ... on Product {
        id
        stock {
          onHand
          reserved
          available
        }
      }
    }
  }
`;

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export async function stockOf(subgraph: InventorySubgraph, id: string): Promise<StockLevel> {
  const data = await expectData<{ _entities: [{ stock: StockLevel }] }>(subgraph, STOCK_OF, { id });
  return data._entities[0].stock;
}

export const ADJUST_STOCK = /* GraphQL */ `
  mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {
    adjustStock(productId: $productId, delta: $delta, reason: $reason) {
      id
      stock {
        onHand
        reserved
        available
      }
    }
  }
`;

export const RESERVE = /* GraphQL */ `
  mutation Reserve($orderId: ID!, $items: [ReservationItemInput!]!) {
    reserveForOrder(orderId: $orderId, items: $items) {
      orderId
      status
    }
  }
`;
export const RELEASE = /* GraphQL */ `
  mutation Release($orderId: ID!) {
    releaseForOrder(orderId: $orderId) {
      orderId
      status
    }
  }
`;
export const COMMIT = /* GraphQL */ `
  mutation Commit($orderId: ID!) {
    commitForOrder(orderId: $orderId) {
      orderId
      status
    }
  }
`;
export const RETURN = /* GraphQL */ `
  mutation Return($orderId: ID!) {
    returnForOrder(orderId: $orderId) {
      orderId
      status
    }
  }
`;
