/**
 * inventory's animalSearch price read model, fed by commerce through the job queue: the real
 * inventory subgraph runs beside commerce (HTTP, signed service caller). A start fills it with the
 * seeded listings; a price change and a withdrawal reach it once committed.
 */
import { expectData } from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANIMAL_PRICES } from '../src/seed/data.js';
import { BEA, animalId, animalListing, startCommerce, type CommerceSubgraph } from './support.js';
import { startSibling, type RunningSibling } from './siblings.js';

let inventory: RunningSibling;
let commerce: CommerceSubgraph;
beforeAll(async () => {
  inventory = await startSibling('inventory', 'commerce_search_feed_inventory');
  commerce = await startCommerce('commerce_search_feed', { urls: { inventory: inventory.url } });
});
afterAll(async () => {
  await commerce?.stop();
  await inventory?.subgraph.stop();
});

const UPDATE =
  'mutation ($id: ID!, $input: UpdateListingInput!) { updateListing(id: $id, input: $input) { id } }';
const priceIn = async (n: number) => {
  const rows = await inventory.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<{ amount: number | null }[]>('select amount from listing_price where animal_id = ?', [
      animalId(n),
    ]);
  return rows.length === 0 ? undefined : rows[0]!.amount;
};
const until = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 15_000;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe("commerce feeds inventory's listing prices", () => {
  it('fills them with the seeded listings at start (full sync)', async () => {
    const priced = Object.entries(ANIMAL_PRICES);
    await until(async () => (await priceIn(Number(priced.at(-1)![0]))) !== undefined);
    for (const [n, amount] of priced) expect(await priceIn(Number(n))).toBe(amount);
  }, 20_000);

  it('reports a price change and a withdrawal once committed', async () => {
    await until(async () => (await priceIn(7)) === ANIMAL_PRICES[7]);
    await expectData(commerce, UPDATE, { id: animalListing(7), input: { priceAmount: 39_900 } }, BEA);
    await until(async () => (await priceIn(7)) === 39_900);
    expect(await priceIn(7)).toBe(39_900);
    await expectData(commerce, UPDATE, { id: animalListing(7), input: { status: 'WITHDRAWN' } }, BEA);
    await until(async () => (await priceIn(7)) === null);
    expect(await priceIn(7)).toBeNull();
  }, 20_000);
});
