/**
 * Products' search read model fed by community through the job queue: the real products
 * subgraph runs beside community (HTTP, signed service caller). A start fills it with the seeded
 * product ratings; a new review reaches it once committed, with the new average.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keeper, postReview, startCommunity, type Community } from './support.js';
import { startOwners, type Owners } from './siblings.js';

let owners: Owners;
let community: Community;
beforeAll(async () => {
  owners = await startOwners('community_test_search_feed');
  community = await startCommunity('community_test_search_feed', { seed: true, env: owners.env });
});
afterAll(async () => {
  await community?.stop();
  await owners?.stop();
});

type Signal = { product_id: string; rating_average: string | null; rating_count: number };
const signals = () =>
  owners.products.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<Signal[]>(
      'select product_id, rating_average::text, rating_count from product_signal where rating_as_of is not null order by product_id',
    );
const until = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 15_000;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe("community feeds products' search read model", () => {
  it('fills it with the seeded product ratings at start (full sync)', async () => {
    const seeded = await community.orm.em
      .fork()
      .getConnection()
      .execute<Signal[]>(
        `select subject_id as product_id, round(rating_sum::numeric / review_count, 2)::text as rating_average, review_count as rating_count
         from rating_aggregate where subject_type = 'PRODUCT' and review_count > 0 order by subject_id`,
      );
    expect(seeded.length).toBeGreaterThan(0);
    await until(async () => (await signals()).length >= seeded.length);
    expect(await signals()).toEqual(seeded);
  }, 20_000);

  it('reports a new review of a product with its new average', async () => {
    const productId = await owners.newProduct();
    await postReview(community, keeper(), { productId, rating: 4, body: 'Solid build.' });
    await postReview(community, keeper(), { productId, rating: 5, body: 'Works as described.' });
    const mine = async () => (await signals()).find((s) => s.product_id === productId);
    await until(async () => (await mine())?.rating_count === 2);
    expect(await mine()).toEqual({ product_id: productId, rating_average: '4.50', rating_count: 2 });
  }, 20_000);
});
