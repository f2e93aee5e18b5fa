import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolvers } from '../src/resolvers/index.js';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADJUST_STOCK,
  BEA,
  COMMERCE,
  KEEPER,
  RESERVE,
  STAFF,
  STOCK_OF,
  productId,
  startInventory,
  stockOf,
  type InventorySubgraph,
} from './support.js';

let subgraph: InventorySubgraph;
beforeAll(async () => {
  // In-process events: a subscription is live as soon as it is first read (see support.ts).
  subgraph = await startInventory('inventory_stock_test', { redis: false });
});
afterAll(async () => {
  await subgraph?.stop();
});

describe('Product.stock', () => {
  it('resolves Product references with their seeded stock, zero for a product never counted', async () => {
    const tank = productId('TR-TANK-120');
    const unknown = randomUUID();
    const query = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
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
    const data = await expectData<{ _entities: unknown[] }>(subgraph, query, {
      representations: [
        { __typename: 'Product', id: tank },
        { __typename: 'Product', id: unknown },
        { __typename: 'Product', id: productId('TR-MICE-F') },
      ],
    });
    expect(data._entities).toEqual([
      { id: tank, stock: { onHand: 6, reserved: 0, available: 6 } },
      { id: unknown, stock: { onHand: 0, reserved: 0, available: 0 } },
      { id: productId('TR-MICE-F'), stock: { onHand: 120, reserved: 0, available: 120 } },
    ]);
    expect(errorCodes(await execute(subgraph, STOCK_OF, { id: 'TR-TANK-120' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('loads the stock of many products in one statement', async () => {
    const ids = ['TR-HEAT-100', 'TR-UVB-T5', 'TR-HYGRO', 'TR-TONGS', 'TR-MIST'].map(productId);
    const before = subgraph.sqlStatementCount();
    await expectData(
      subgraph,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { stock { available } } } }',
      {
        r: ids.map((id) => ({ __typename: 'Product', id })),
      },
    );
    expect(subgraph.sqlStatementCount() - before).toBe(1);
  });
});

describe('adjustStock', () => {
  it('lets staff change stock, recording the reason and the actor', async () => {
    const id = productId('TR-HYGRO');
    const data = await expectData<{ adjustStock: unknown }>(
      subgraph,
      ADJUST_STOCK,
      { productId: id, delta: 15, reason: ' Delivery from supplier ' },
      STAFF,
    );
    expect(data.adjustStock).toEqual({ id, stock: { onHand: 75, reserved: 0, available: 75 } });
    const [row] = await subgraph.orm.em
      .fork()
      .execute<{ delta: number; reason: string; actor_id: string; on_hand_after: number }[]>(
        'select delta, reason, actor_id, on_hand_after from stock_adjustment where product_id = ? order by created_at desc limit 1',
        [id],
      );
    expect(row).toEqual({
      delta: 15,
      reason: 'Delivery from supplier',
      actor_id: STAFF.userId,
      on_hand_after: 75,
    });
  });

  it('is staff only', async () => {
    const variables = { productId: productId('TR-HYGRO'), delta: 1, reason: 'Found one' };
    expect(errorCodes(await execute(subgraph, ADJUST_STOCK, variables, BEA))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(subgraph, ADJUST_STOCK, variables, KEEPER))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(subgraph, ADJUST_STOCK, variables, COMMERCE))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(errorCodes(await execute(subgraph, ADJUST_STOCK, variables))).toEqual(['UNAUTHENTICATED']);
  });

  it('never takes onHand below what is reserved for orders', async () => {
    const id = randomUUID();
    await expectData(subgraph, ADJUST_STOCK, { productId: id, delta: 6, reason: 'Delivery' }, STAFF);
    await expectData(
      subgraph,
      RESERVE,
      { orderId: randomUUID(), items: [{ productId: id, quantity: 5 }] },
      COMMERCE,
    );
    const refused = await execute(
      subgraph,
      ADJUST_STOCK,
      { productId: id, delta: -2, reason: 'Broken in transit' },
      STAFF,
    );
    expect(refused.errors[0]?.extensions).toMatchObject({ code: 'CONFLICT', productId: id });
    expect(await stockOf(subgraph, id)).toEqual({ onHand: 6, reserved: 5, available: 1 });
    const allowed = await expectData<{ adjustStock: unknown }>(
      subgraph,
      ADJUST_STOCK,
      { productId: id, delta: -1, reason: 'Broken in transit' },
      STAFF,
    );
    expect(allowed.adjustStock).toEqual({ id, stock: { onHand: 5, reserved: 5, available: 0 } });
    // A product never counted has nothing to remove.
    expect(
      errorCodes(
        await execute(subgraph, ADJUST_STOCK, { productId: randomUUID(), delta: -1, reason: 'Oops' }, STAFF),
      ),
    ).toEqual(['CONFLICT']);
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    const id = productId('TR-TONGS');
    expect(
      errorCodes(await execute(subgraph, ADJUST_STOCK, { productId: id, delta: 1, reason: '   ' }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(subgraph, ADJUST_STOCK, { productId: id, delta: 1, reason: 'x'.repeat(201) }, STAFF),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(subgraph, ADJUST_STOCK, { productId: id, delta: 0, reason: 'Nothing' }, STAFF),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(subgraph, ADJUST_STOCK, { productId: 'TR-TONGS', delta: 1, reason: 'Sku' }, STAFF),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(await stockOf(subgraph, id)).toEqual({ onHand: 90, reserved: 0, available: 90 });
    expect(
      (
        await expectData<{ adjustStock: { stock: { onHand: number } } }>(
          subgraph,
          ADJUST_STOCK,
          { productId: id, delta: 1, reason: 'x'.repeat(200) },
          STAFF,
        )
      ).adjustStock.stock.onHand,
    ).toBe(91);
  });
});

// @apollo/subgraph builds the schema with graphql's CommonJS build; vitest would hand this file the
// ESM build, whose `subscribe` rejects a schema from the other module. Take the one Apollo uses.
const { parse, subscribe } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

describe('Subscription.stockChanged', () => {
  const schema = buildSubgraphSchema({
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers() as never,
  });
  const document = parse(
    'subscription ($id: ID!) { stockChanged(productId: $id) { id stock { onHand reserved available } } }',
  );

  async function listen(id: string): Promise<AsyncIterableIterator<ExecutionResult>> {
    const stream = await subscribe({
      schema,
      document,
      variableValues: { id },
      contextValue: subgraph.createContext(ANONYMOUS),
    });
    if (!(Symbol.asyncIterator in stream))
      throw new Error(`subscribe failed: ${JSON.stringify(stream.errors)}`);
    return stream;
  }

  it('emits the product with its new stock on adjustments and reservations', async () => {
    const id = randomUUID();
    const events = await listen(id);
    const adjusted = events.next();
    await expectData(subgraph, ADJUST_STOCK, { productId: id, delta: 3, reason: 'Delivery' }, STAFF);
    expect((await adjusted).value).toEqual({
      data: { stockChanged: { id, stock: { onHand: 3, reserved: 0, available: 3 } } },
    });

    const reserved = events.next();
    await expectData(
      subgraph,
      RESERVE,
      { orderId: randomUUID(), items: [{ productId: id, quantity: 2 }] },
      COMMERCE,
    );
    expect((await reserved).value).toEqual({
      data: { stockChanged: { id, stock: { onHand: 3, reserved: 2, available: 1 } } },
    });
    await events.return?.();
  });

  it('refuses a malformed product id', async () => {
    const result = await subscribe({
      schema,
      document,
      variableValues: { id: 'tank' },
      contextValue: subgraph.createContext(ANONYMOUS),
    });
    expect('errors' in result && result.errors?.map((e) => e.extensions['code'])).toEqual(['BAD_USER_INPUT']);
  });
});
