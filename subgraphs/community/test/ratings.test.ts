import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingCacheKey, type Rating } from '../src/loaders/rating.loader.js';
import { expectData } from '@terrarium/subgraph-kit/testing';
import {
  keeper,
  mean,
  postReview,
  productRatings,
  staff,
  startCommunity,
  type Community,
} from './support.js';
import { startOwners, type Owners } from './siblings.js';

let owners: Owners;
let community: Community;
beforeAll(async () => {
  owners = await startOwners('community_test_ratings');
  community = await startCommunity('community_test_ratings', { env: owners.env });
});
afterAll(async () => {
  await community?.stop();
  await owners?.stop();
});

const UPDATE =
  'mutation ($id: ID!, $rating: Int!) { updateReview(id: $id, input: { rating: $rating }) { id rating } }';

/** The aggregate row next to what the review table says, read straight from Postgres. */
async function aggregateVsReviews(productId: string) {
  const em = community.orm.em.fork();
  const [aggregate] = await em.execute<{ review_count: number; rating_sum: number }[]>(
    `select review_count, rating_sum from rating_aggregate where subject_type = 'PRODUCT' and subject_id = ?`,
    [productId],
  );
  const [actual] = await em.execute<{ review_count: number; rating_sum: number }[]>(
    'select count(*)::int as review_count, coalesce(sum(rating), 0)::int as rating_sum from review where product_id = ? and hidden_at is null',
    [productId],
  );
  return { aggregate, actual };
}

describe('rating aggregate under concurrent writes', () => {
  it('counts 40 reviews posted at once by 40 users, with the exact mean', async () => {
    const productId = await owners.newProduct();
    // Sum 133 over 40 reviews: mean 3.325, reported rounded to 2 decimals as 3.33.
    const ratings = Array.from({ length: 40 }, (_, i) => [5, 4, 3, 2, 5, 3, 4, 1][i % 8]! - (i < 2 ? 1 : 0));
    await Promise.all(
      ratings.map((rating, i) =>
        postReview(community, keeper(), { productId, rating, body: `Concurrent review ${i}` }),
      ),
    );
    const [rating] = await productRatings(community, [productId]);
    expect(rating).toEqual({ id: productId, reviewCount: 40, averageRating: mean(ratings) });
    expect(mean(ratings)).toBe(3.33);
    const { aggregate, actual } = await aggregateVsReviews(productId);
    expect(aggregate).toEqual(actual);
  });

  it('keeps the sum exact under concurrent edits of many reviews and of one review', async () => {
    const productId = await owners.newProduct();
    const authors = Array.from({ length: 12 }, () => keeper());
    const reviews = await Promise.all(
      authors.map((author) => postReview(community, author, { productId, rating: 1, body: 'Start' })),
    );
    const newRatings = authors.map((_, i) => (i % 5) + 1);
    // Every author edits their own review, and the first author edits theirs 8 more times, all at once.
    await Promise.all([
      ...reviews.map((review, i) =>
        expectData(community, UPDATE, { id: review.id, rating: newRatings[i] }, authors[i]),
      ),
      ...[5, 4, 3, 2, 1, 2, 3, 4].map((rating) =>
        expectData(community, UPDATE, { id: reviews[0]!.id, rating }, authors[0]),
      ),
    ]);
    const { aggregate, actual } = await aggregateVsReviews(productId);
    expect(aggregate).toEqual(actual);
    expect(actual?.review_count).toBe(12);
    const [rating] = await productRatings(community, [productId]);
    expect(rating?.averageRating).toBe(Math.round((actual!.rating_sum * 100) / 12) / 100);
  });

  it('stays exact when posts and deletes race', async () => {
    const productId = await owners.newProduct();
    const first = await Promise.all(
      Array.from({ length: 10 }, () => keeper()).map(async (author) => ({
        author,
        review: await postReview(community, author, { productId, rating: 5, body: 'Old' }),
      })),
    );
    await Promise.all([
      ...first.map(({ author, review }) =>
        expectData(community, 'mutation ($id: ID!) { deleteReview(id: $id) }', { id: review.id }, author),
      ),
      ...Array.from({ length: 10 }, () =>
        postReview(community, keeper(), { productId, rating: 2, body: 'New' }),
      ),
    ]);
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, reviewCount: 10, averageRating: 2 },
    ]);
    const { aggregate, actual } = await aggregateVsReviews(productId);
    expect(aggregate).toEqual(actual);
  });
});

describe('rating cache', () => {
  it('serves averageRating from the cache and invalidates it when a review is posted', async () => {
    const productId = await owners.newProduct();
    await postReview(community, keeper(), { productId, rating: 5, body: 'Great' });
    expect((await productRatings(community, [productId]))[0]?.averageRating).toBe(5);
    expect(await community.cache.get<Rating>(ratingCacheKey({ type: 'PRODUCT', id: productId }))).toEqual({
      reviewCount: 1,
      ratingSum: 5,
    });

    // Proof that reads come from the cache: a change behind the service's back is not seen...
    const em = community.orm.em.fork();
    await em.execute(
      `update rating_aggregate set rating_sum = 4 where subject_type = 'PRODUCT' and subject_id = ?`,
      [productId],
    );
    expect((await productRatings(community, [productId]))[0]?.averageRating).toBe(5);
    await em.execute(
      `update rating_aggregate set rating_sum = 5 where subject_type = 'PRODUCT' and subject_id = ?`,
      [productId],
    );

    // ...but a review posted through the API deletes the cached value after its commit.
    await postReview(community, keeper(), { productId, rating: 2, body: 'Broke after a week' });
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: 3.5, reviewCount: 2 },
    ]);
  });

  it('invalidates on edit and delete too', async () => {
    const productId = await owners.newProduct();
    const author = keeper();
    const { id } = await postReview(community, author, { productId, rating: 1, body: 'Bad' });
    expect((await productRatings(community, [productId]))[0]?.averageRating).toBe(1);
    await expectData(community, UPDATE, { id, rating: 4 }, author);
    expect((await productRatings(community, [productId]))[0]?.averageRating).toBe(4);
    await expectData(community, 'mutation ($id: ID!) { deleteReview(id: $id) }', { id }, staff());
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: null, reviewCount: 0 },
    ]);
  });
});

describe('DataLoader batching', () => {
  it('loads the aggregates of 20 products in one SQL statement, then from the cache', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => owners.newProduct()));
    await Promise.all(
      ids
        .slice(0, 5)
        .map((productId, i) => postReview(community, keeper(), { productId, rating: i + 1, body: 'Rated' })),
    );
    const before = community.sqlStatementCount();
    const ratings = await productRatings(community, ids);
    expect(community.sqlStatementCount() - before).toBe(1);
    expect(ratings.map((r) => r.averageRating)).toEqual([
      1,
      2,
      3,
      4,
      5,
      ...Array.from({ length: 15 }, () => null),
    ]);
    expect(ratings.map((r) => r.reviewCount)).toEqual([
      1,
      1,
      1,
      1,
      1,
      ...Array.from({ length: 15 }, () => 0),
    ]);

    const cachedBefore = community.sqlStatementCount();
    expect(await productRatings(community, ids)).toEqual(ratings);
    expect(community.sqlStatementCount() - cachedBefore).toBe(0);
  });

  it('loads the first review page of 20 products in one SQL statement', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => owners.newProduct()));
    await Promise.all(
      ids.flatMap((productId) =>
        [1, 2].map((rating) => postReview(community, keeper(), { productId, rating, body: 'Paged' })),
      ),
    );
    const before = community.sqlStatementCount();
    const data = await expectData<{
      _entities: {
        id: string;
        reviews: { totalCount: number; edges: { node: { rating: number; author: { id: string } } }[] };
      }[];
    }>(
      community,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id reviews(first: 1) { totalCount edges { node { rating author { id } } } } } } }',
      { r: ids.map((id) => ({ __typename: 'Product', id })) },
    );
    expect(community.sqlStatementCount() - before).toBe(1);
    expect(data._entities.map((p) => p.id)).toEqual(ids);
    for (const product of data._entities) {
      expect(product.reviews.totalCount).toBe(2);
      expect(product.reviews.edges).toHaveLength(1);
    }
  });
});
