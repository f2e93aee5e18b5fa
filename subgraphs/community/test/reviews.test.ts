import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { createResolvers } from '../src/resolvers/index.js';
import { typeDefs } from '../src/subgraph.js';
import { execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import {
  POST_REVIEW,
  keeper,
  postReview,
  productRatings,
  staff,
  startCommunity,
  type Community,
} from './support.js';
import { startOwners, type Owners } from './siblings.js';

// @apollo/subgraph loads graphql's CommonJS build; its schema works only with that same copy.
const { parse, subscribe } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

let owners: Owners;
let community: Community;
beforeAll(async () => {
  owners = await startOwners('community_test_reviews');
  community = await startCommunity('community_test_reviews', { env: owners.env });
});
afterAll(async () => {
  await community?.stop();
  await owners?.stop();
});

const UPDATE =
  'mutation ($id: ID!, $input: ReviewUpdateInput!) { updateReview(id: $id, input: $input) { id rating body } }';
const DELETE = 'mutation ($id: ID!) { deleteReview(id: $id) }';

describe('postReview', () => {
  it('refuses anonymous callers with UNAUTHENTICATED', async () => {
    const result = await execute(
      community,
      POST_REVIEW,
      { input: { productId: randomUUID(), rating: 5, body: 'Great' } },
      ANONYMOUS,
    );
    expect(firstError(result)?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['rating 0', { productId: randomUUID(), rating: 0, body: 'ok' }, 'input.rating'],
    ['rating 6', { productId: randomUUID(), rating: 6, body: 'ok' }, 'input.rating'],
    ['an empty body', { productId: randomUUID(), rating: 3, body: '   ' }, 'input.body'],
    [
      'a body over 5000 characters',
      { productId: randomUUID(), rating: 3, body: 'x'.repeat(5001) },
      'input.body',
    ],
    ['no subject', { rating: 3, body: 'ok' }, 'input.productId'],
    [
      'two subjects',
      { productId: randomUUID(), organizationId: randomUUID(), rating: 3, body: 'ok' },
      'input.organizationId',
    ],
    ['a malformed product id', { productId: 'not-a-uuid', rating: 3, body: 'ok' }, 'input.productId'],
  ])('answers %s with BAD_USER_INPUT naming the field', async (_case, input, field) => {
    const result = await execute(community, POST_REVIEW, { input }, keeper());
    expect(firstError(result)?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.['field']).toBe(field);
  });

  it('accepts a body of exactly 5000 characters and trims it', async () => {
    const review = await postReview(community, keeper(), {
      productId: await owners.newProduct(),
      rating: 4,
      body: `  ${'y'.repeat(5000)}  `,
    });
    expect(review.body).toHaveLength(5000);
  });

  it('answers a second review of the same subject by the same author with CONFLICT', async () => {
    const author = keeper();
    const productId = await owners.newProduct();
    const organizationId = await owners.newOrganization();
    await postReview(community, author, { productId, rating: 4, body: 'First' });
    await postReview(community, author, { organizationId, rating: 5, body: 'Breeder review' });
    const again = await execute(
      community,
      POST_REVIEW,
      { input: { productId, rating: 1, body: 'Second' } },
      author,
    );
    expect(firstError(again)?.code).toBe('CONFLICT');
    const againOrg = await execute(
      community,
      POST_REVIEW,
      { input: { organizationId, rating: 1, body: 'Second' } },
      author,
    );
    expect(firstError(againOrg)?.code).toBe('CONFLICT');
    // The refused review changed nothing.
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: 4, reviewCount: 1 },
    ]);
  });

  it('returns the product with its fresh rating, as the contract PostReview selects it', async () => {
    const productId = await owners.newProduct();
    await postReview(community, keeper(), { productId, rating: 2, body: 'Meh' });
    const review = await postReview(community, keeper(), { productId, rating: 5, body: 'Love it' });
    expect(review.product).toEqual({ id: productId, averageRating: 3.5, reviewCount: 2 });
    expect(review.organization).toBeNull();
  });
});

describe('updateReview and deleteReview', () => {
  it('lets only the author or staff edit and delete (FORBIDDEN for others)', async () => {
    const author = keeper();
    const productId = await owners.newProduct();
    const { id } = await postReview(community, author, { productId, rating: 2, body: 'Too small' });

    expect(firstError(await execute(community, UPDATE, { id, input: { rating: 5 } }, keeper()))?.code).toBe(
      'FORBIDDEN',
    );
    expect(firstError(await execute(community, DELETE, { id }, keeper()))?.code).toBe('FORBIDDEN');
    expect(firstError(await execute(community, UPDATE, { id, input: { rating: 5 } }, ANONYMOUS))?.code).toBe(
      'UNAUTHENTICATED',
    );

    const byAuthor = await expectData<{ updateReview: { rating: number; body: string } }>(
      community,
      UPDATE,
      { id, input: { rating: 4 } },
      author,
    );
    expect(byAuthor.updateReview).toMatchObject({ rating: 4, body: 'Too small' });
    const byStaff = await expectData<{ updateReview: { rating: number; body: string } }>(
      community,
      UPDATE,
      { id, input: { body: 'Edited by staff' } },
      staff(),
    );
    expect(byStaff.updateReview).toMatchObject({ rating: 4, body: 'Edited by staff' });
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: 4, reviewCount: 1 },
    ]);

    expect(await expectData(community, DELETE, { id }, author)).toEqual({ deleteReview: id });
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: null, reviewCount: 0 },
    ]);
    expect(firstError(await execute(community, DELETE, { id }, author))?.code).toBe('NOT_FOUND');
  });

  it('lets staff delete any review', async () => {
    const { id } = await postReview(community, keeper(), {
      organizationId: await owners.newOrganization(),
      rating: 1,
      body: 'Spam',
    });
    expect(await expectData(community, DELETE, { id }, staff())).toEqual({ deleteReview: id });
    expect(await expectData(community, 'query ($id: ID!) { review(id: $id) { id } }', { id })).toEqual({
      review: null,
    });
  });

  it('validates edits: rating range, empty input, malformed id', async () => {
    const author = keeper();
    const { id } = await postReview(community, author, {
      productId: await owners.newProduct(),
      rating: 3,
      body: 'Fine',
    });
    expect(firstError(await execute(community, UPDATE, { id, input: { rating: 9 } }, author))?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(firstError(await execute(community, UPDATE, { id, input: {} }, author))?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      firstError(await execute(community, UPDATE, { id: 'nope', input: { rating: 2 } }, author))?.code,
    ).toBe('BAD_USER_INPUT');
  });
});

describe('reviews pagination', () => {
  const PAGE = `query ($r: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $r) { ... on Product { reviews(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id rating createdAt author { id } } }
    } } }
  }`;
  interface Page {
    _entities: {
      reviews: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string } }[];
      };
    }[];
  }

  it('pages through every review newest first, without gaps or repeats', async () => {
    const productId = await owners.newProduct();
    const posted: string[] = [];
    for (let i = 0; i < 7; i += 1)
      posted.push(
        (await postReview(community, keeper(), { productId, rating: (i % 5) + 1, body: `Review ${i}` })).id,
      );
    const r = [{ __typename: 'Product', id: productId }];
    const seen: string[] = [];
    let after: string | null = null;
    const hasNext: boolean[] = [];
    do {
      const data: Page = await expectData<Page>(community, PAGE, { r, first: 3, after });
      const page = data._entities[0]!.reviews;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((edge) => edge.node.id));
      hasNext.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(hasNext).toEqual([true, true, false]);
    expect(seen).toEqual([...posted].reverse());
  });

  it('refuses a bad cursor or page size with BAD_USER_INPUT', async () => {
    const r = [{ __typename: 'Product', id: randomUUID() }];
    expect(firstError(await execute(community, PAGE, { r, first: 3, after: 'bm90LWEtY3Vyc29y' }))?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(firstError(await execute(community, PAGE, { r, first: 101 }))?.code).toBe('BAD_USER_INPUT');
    expect(firstError(await execute(community, PAGE, { r, first: -1 }))?.code).toBe('BAD_USER_INPUT');
  });
});

describe('reviewPosted subscription', () => {
  it('delivers a review posted on the subscribed product after the commit', async () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: createResolvers() as never });
    const productId = await owners.newProduct();
    const stream = await subscribe({
      schema,
      document: parse(
        'subscription ($p: ID) { reviewPosted(productId: $p) { id rating body author { id } product { id reviewCount } } }',
      ),
      variableValues: { p: productId },
      contextValue: community.createContext(ANONYMOUS),
    });
    if (!(Symbol.asyncIterator in stream))
      throw new Error(`subscribe failed: ${JSON.stringify(stream.errors)}`);
    // next() subscribes to the topic; the review is published only after its transaction commits.
    const next = stream.next();
    const author = keeper();
    await postReview(community, author, {
      productId: await owners.newProduct(),
      rating: 1,
      body: 'Another product',
    });
    const posted = await postReview(community, author, { productId, rating: 5, body: 'Live!' });
    const event = (await next).value as ExecutionResult;
    expect(event.errors).toBeUndefined();
    expect(event.data).toEqual({
      reviewPosted: {
        id: posted.id,
        rating: 5,
        body: 'Live!',
        author: { id: author.userId },
        product: { id: productId, reviewCount: 1 },
      },
    });
    await stream.return?.(undefined);
  });

  it('refuses a subscription without exactly one subject', async () => {
    const schema = buildSubgraphSchema({ typeDefs, resolvers: createResolvers() as never });
    const result = await subscribe({
      schema,
      document: parse('subscription { reviewPosted { id } }'),
      contextValue: community.createContext(ANONYMOUS),
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

describe('subjects are checked with their owners before anything is stored', () => {
  const FOLLOW = 'mutation ($t: FollowTargetType!, $id: ID!) { follow(targetType: $t, targetId: $id) }';

  /** Reviews and follows the author has, straight from Postgres. */
  async function rowsBy(authorId: string): Promise<{ reviews: number; follows: number }> {
    const em = community.orm.em.fork();
    const [row] = await em.execute<{ reviews: number; follows: number }[]>(
      'select (select count(*)::int from review where author_id = ?) as reviews, (select count(*)::int from follow where follower_id = ?) as follows',
      [authorId, authorId],
    );
    return row!;
  }

  it('refuses a review or a follow of a product, organization or user its owner does not know (NOT_FOUND)', async () => {
    const author = keeper();
    const unknown = randomUUID();
    const product = await execute(
      community,
      POST_REVIEW,
      { input: { productId: unknown, rating: 5, body: 'Ghost product' } },
      author,
    );
    expect(firstError(product)?.code).toBe('NOT_FOUND');
    expect(product.errors?.[0]?.message).toMatch(/Product/);
    expect(
      firstError(
        await execute(
          community,
          POST_REVIEW,
          { input: { organizationId: unknown, rating: 5, body: 'Ghost breeder' } },
          author,
        ),
      )?.code,
    ).toBe('NOT_FOUND');
    expect(firstError(await execute(community, FOLLOW, { t: 'USER', id: unknown }, author))?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      firstError(await execute(community, FOLLOW, { t: 'ORGANIZATION', id: unknown }, author))?.code,
    ).toBe('NOT_FOUND');
    expect(await rowsBy(author.userId!)).toEqual({ reviews: 0, follows: 0 });
    expect(await productRatings(community, [unknown])).toEqual([
      { id: unknown, averageRating: null, reviewCount: 0 },
    ]);

    // The seeded ones are known.
    await postReview(community, author, {
      productId: seedId('product:TR-TONGS'),
      rating: 4,
      body: 'Safe fingers',
    });
    await postReview(community, author, {
      organizationId: seedId('org:desert-morphs'),
      rating: 5,
      body: 'Healthy geckos',
    });
    await expectData(community, FOLLOW, { t: 'USER', id: seedId('user:desert@terrarium.test') }, author);
    await expectData(community, FOLLOW, { t: 'ORGANIZATION', id: seedId('org:desert-morphs') }, author);
    expect(await rowsBy(author.userId!)).toEqual({ reviews: 2, follows: 2 });
  });

  // Last in this file: it stops the owners.
  it('answers SERVICE_UNAVAILABLE and stores nothing while the owner is unreachable', async () => {
    const author = keeper();
    const productId = await owners.newProduct();
    await owners.stop();
    const review = await execute(
      community,
      POST_REVIEW,
      { input: { productId, rating: 5, body: 'Offline' } },
      author,
    );
    expect(firstError(review)?.code).toBe('SERVICE_UNAVAILABLE');
    expect(review.errors?.[0]?.message).toMatch(/products/);
    expect(
      firstError(
        await execute(community, FOLLOW, { t: 'ORGANIZATION', id: seedId('org:desert-morphs') }, author),
      )?.code,
    ).toBe('SERVICE_UNAVAILABLE');
    expect(await rowsBy(author.userId!)).toEqual({ reviews: 0, follows: 0 });
    expect(await productRatings(community, [productId])).toEqual([
      { id: productId, averageRating: null, reviewCount: 0 },
    ]);
  });
});
