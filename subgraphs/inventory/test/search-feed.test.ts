/**
 * Products' search read model fed by inventory through the job queue: the real products subgraph
 * runs beside inventory (HTTP, signed service caller). A start fills it with the seeded stock, and an
 * adjustment reaches it once committed.
 */
import { createProductsSubgraph } from '@terrarium/products';
import { startSiblingSubgraph, expectData, type RunningSibling } from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADJUST_STOCK, STAFF, productId, startInventory, type InventorySubgraph } from './support.js';

let products: RunningSibling;
let inventory: InventorySubgraph;
beforeAll(async () => {
  products = await startSiblingSubgraph('products', createProductsSubgraph, 'inventory_feed_test_products');
  inventory = await startInventory('inventory_feed_test', { env: { PRODUCTS_URL: products.url } });
});
afterAll(async () => {
  await inventory?.stop();
  await products?.subgraph.stop();
});

const availableIn = async (id: string) => {
  const rows = await products.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<{ available: number | null }[]>('select available from product_signal where product_id = ?', [
      id,
    ]);
  return rows[0]?.available ?? null;
};
const until = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 15_000;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe("inventory feeds products' search read model", () => {
  it('fills it with the seeded stock at start (full sync)', async () => {
    const tongs = productId('TR-TONGS');
    await until(async () => (await availableIn(tongs)) !== null);
    expect(await availableIn(tongs)).toBe(90);
    expect(await availableIn(productId('TR-TANK-120'))).toBe(6);
  }, 20_000);

  it('reports an adjustment once it committed', async () => {
    const mist = productId('TR-MIST');
    await until(async () => (await availableIn(mist)) === 8);
    await expectData(
      inventory,
      ADJUST_STOCK,
      { productId: mist, delta: -8, reason: 'Recalled by the supplier' },
      STAFF,
    );
    await until(async () => (await availableIn(mist)) === 0);
    expect(await availableIn(mist)).toBe(0);
  }, 20_000);
});
