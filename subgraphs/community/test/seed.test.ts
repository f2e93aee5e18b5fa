import { afterAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { SEED } from '../src/seed/index.js';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { mean, productRatings, startCommunity, type Community } from './support.js';

const started: Community[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function counts(community: Community) {
  const em = community.orm.em.fork();
  const [row] = await em.execute<
    { reviews: number; posts: number; comments: number; follows: number; aggregates: number }[]
  >(
    `select (select count(*)::int from review) as reviews, (select count(*)::int from post) as posts,
            (select count(*)::int from comment) as comments, (select count(*)::int from follow) as follows,
            (select count(*)::int from rating_aggregate) as aggregates`,
  );
  return row!;
}

describe('demo seed', () => {
  it('seeds the canon consistently, and a second start adds nothing', async () => {
    // In-memory cache: seeded ids are fixed, and a shared Redis may hold another database's values.
    const first = await startCommunity('community_test_seed', { seed: true, redis: false });
    started.push(first);
    const seeded = await counts(first);
    expect(seeded).toEqual({
      reviews: SEED.PRODUCT_REVIEWS.length + SEED.ORGANIZATION_REVIEWS.length,
      posts: SEED.POSTS.length,
      comments: SEED.POSTS.reduce((n, post) => n + post.comments.length, 0),
      follows: SEED.FOLLOWS.length,
      aggregates: new Set(SEED.PRODUCT_REVIEWS.map(([sku]) => sku)).size + 3,
    });

    // Every aggregate matches the reviews it summarizes.
    const [mismatches] = await first.orm.em.fork().execute<{ n: number }[]>(
      `select count(*)::int as n from rating_aggregate a
       left join lateral (
         select count(*)::int as c, coalesce(sum(rating), 0)::int as s from review r
         where r.hidden_at is null and coalesce(r.product_id, r.organization_id) = a.subject_id
       ) x on true
       where a.review_count <> x.c or a.rating_sum <> x.s`,
    );
    expect(mismatches?.n).toBe(0);

    const heat = seedId('product:TR-HEAT-100');
    const tongs = seedId('product:TR-TONGS');
    const heatRatings = SEED.PRODUCT_REVIEWS.filter(([sku]) => sku === 'TR-HEAT-100').map(
      ([, , rating]) => rating,
    );
    expect(await productRatings(first, [heat, tongs])).toEqual([
      { id: heat, averageRating: mean(heatRatings), reviewCount: heatRatings.length },
      { id: tongs, averageRating: null, reviewCount: 0 },
    ]);
    const keeper = seedId('user:keeper@terrarium.test');
    const sunset = seedId('org:sunset-reptiles');
    const org = await expectData<{
      _entities: {
        reviewCount: number;
        followers: { id: string }[];
        reviews: { edges: { node: { author: { id: string } } }[] };
      }[];
    }>(
      first,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { reviewCount followers { id } reviews(first: 10) { edges { node { author { id } } } } } } }',
      { r: [{ __typename: 'Organization', id: sunset }] },
    );
    expect(org._entities[0]?.reviewCount).toBe(3);
    expect(org._entities[0]?.followers.map((f) => f.id)).toContain(keeper);
    expect(org._entities[0]?.reviews.edges.map((e) => e.node.author.id)).toContain(keeper);

    const again = await startCommunity('community_test_seed', { seed: true, redis: false });
    started.push(again);
    expect(await counts(again)).toEqual(seeded);
    expect(await productRatings(again, [heat])).toEqual([
      { id: heat, averageRating: mean(heatRatings), reviewCount: heatRatings.length },
    ]);
  });
});
