import { randomUUID } from 'node:crypto';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import type { Loaders } from '../src/loaders/index.js';
import { createCommunitySubgraph } from '../src/subgraph.js';

export type Community = Subgraph<Loaders>;

/**
 * A community subgraph in its own Postgres schema of the run's fresh database. Uses REDIS_URL
 * (real Redis) when set; `redis: false` forces the in-memory cache. `env` adds settings, such as
 * the owners' URLs (PRODUCTS_URL, OPS_URL from startOwners) that reviews and follows are checked with.
 */
export async function startCommunity(
  schema: string,
  options: { seed?: boolean; redis?: boolean; env?: Record<string, string> } = {},
): Promise<Community> {
  const config = loadSubgraphConfig('community', {
    ...process.env,
    ...options.env,
    COMMUNITY_DATABASE_SCHEMA: schema,
    COMMUNITY_PORT: '0',
    SEED_DEMO: options.seed ? 'true' : 'false',
    ...(options.redis === false ? { REDIS_URL: '', COMMUNITY_REDIS_URL: '' } : {}),
  });
  return createCommunitySubgraph(config);
}

export const keeper = (userId: string = randomUUID()): Caller => ({
  ...ANONYMOUS,
  userId,
  roles: ['KEEPER'],
});
export const staff = (userId: string = randomUUID()): Caller => ({ ...ANONYMOUS, userId, roles: ['STAFF'] });

export const POST_REVIEW = /* GraphQL */ `
  mutation PostReview($input: ReviewInput!) {
    postReview(input: $input) {
      id
      rating
      body
      product {
        id
        averageRating
        reviewCount
      }
      organization {
        id
      }
    }
  }
`;

export interface PostedReview {
  postReview: {
    id: string;
    rating: number;
    body: string;
    product: { id: string; averageRating: number | null; reviewCount: number } | null;
    organization: { id: string } | null;
  };
}

export async function postReview(
  subgraph: Community,
  caller: Caller,
  input: Record<string, unknown>,
): Promise<PostedReview['postReview']> {
  return (await expectData<PostedReview>(subgraph, POST_REVIEW, { input }, caller)).postReview;
}

export const PRODUCT_RATING = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Product {
        id
        averageRating
        reviewCount
      }
    }
  }
`;

export interface ProductRating {
  id: string;
  averageRating: number | null;
  reviewCount: number;
}

export async function productRatings(
  subgraph: Community,
  ids: string[],
  caller: Caller = ANONYMOUS,
): Promise<ProductRating[]> {
  const data = await expectData<{ _entities: ProductRating[] }>(
    subgraph,
    PRODUCT_RATING,
    { r: ids.map((id) => ({ __typename: 'Product', id })) },
    caller,
  );
  return data._entities;
}

/** The mean the API must report: rounded to 2 decimals, null without ratings. */
export function mean(ratings: number[]): number | null {
  if (ratings.length === 0) return null;
  return Math.round((ratings.reduce((a, b) => a + b, 0) * 100) / ratings.length) / 100;
}
