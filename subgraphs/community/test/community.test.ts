import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import { keeper, postReview, productRatings, staff, startCommunity, type Community } from './support.js';
import { startOwners, type Owners } from './siblings.js';

let owners: Owners;
let community: Community;
beforeAll(async () => {
  owners = await startOwners('community_test_community');
  community = await startCommunity('community_test_community', { env: owners.env });
});
afterAll(async () => {
  await community?.stop();
  await owners?.stop();
});

const CREATE_POST =
  'mutation ($input: PostInput!) { createPost(input: $input) { id title body author { id } createdAt } }';
const ADD_COMMENT =
  'mutation ($postId: ID!, $body: String!) { addComment(postId: $postId, body: $body) { id body author { id } post { id } } }';
const REPORT =
  'mutation ($input: ReportInput!) { report(input: $input) { id status subjectType subjectId reporter { id } } }';
const QUEUE = `query ($first: Int, $after: String, $status: ReportStatus) {
  moderationQueue(first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status reason subject { __typename ... on Review { id rating } ... on Post { id title } ... on Comment { id body } } } }
  }
}`;
const RESOLVE =
  'mutation ($id: ID!, $action: ReportAction!) { resolveReport(id: $id, action: $action) { id status resolvedAt resolvedBy { id } } }';

interface CreatedPost {
  createPost: { id: string; title: string; author: { id: string } };
}

async function createPost(author = keeper(), title = 'My first enclosure') {
  return (
    await expectData<CreatedPost>(
      community,
      CREATE_POST,
      { input: { title, body: 'Photos and questions.' } },
      author,
    )
  ).createPost;
}

describe('posts and comments', () => {
  it('creates a post with comments, oldest first, and lists it in the feed and under its author', async () => {
    const author = keeper();
    const post = await createPost(author, '  Trimmed title  ');
    expect(post).toMatchObject({ title: 'Trimmed title', author: { id: author.userId } });
    for (const body of ['First!', 'Nice setup', 'Thanks'])
      await expectData(community, ADD_COMMENT, { postId: post.id, body }, keeper());

    const data = await expectData<{
      post: { comments: { totalCount: number; edges: { node: { body: string } }[] } };
    }>(
      community,
      'query ($id: ID!) { post(id: $id) { comments(first: 2) { totalCount edges { node { body } } } } }',
      { id: post.id },
    );
    expect(data.post.comments.totalCount).toBe(3);
    expect(data.post.comments.edges.map((e) => e.node.body)).toEqual(['First!', 'Nice setup']);

    const feed = await expectData<{ posts: { edges: { node: { id: string } }[] } }>(
      community,
      '{ posts(first: 100) { edges { node { id } } } }',
    );
    expect(feed.posts.edges[0]?.node.id).toBe(post.id);
    const byUser = await expectData<{
      _entities: { posts: { totalCount: number; edges: { node: { id: string } }[] } }[];
    }>(
      community,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { posts { totalCount edges { node { id } } } } } }',
      { r: [{ __typename: 'User', id: author.userId }] },
    );
    expect(byUser._entities[0]?.posts).toEqual({ totalCount: 1, edges: [{ node: { id: post.id } }] });
  });

  it('refuses anonymous and empty posts and comments on unknown posts', async () => {
    expect(
      firstError(await execute(community, CREATE_POST, { input: { title: 'x', body: 'y' } }))?.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      firstError(await execute(community, CREATE_POST, { input: { title: ' ', body: 'y' } }, keeper()))?.code,
    ).toBe('BAD_USER_INPUT');
    expect(
      firstError(await execute(community, ADD_COMMENT, { postId: randomUUID(), body: 'hi' }, keeper()))?.code,
    ).toBe('NOT_FOUND');
    expect(
      firstError(await execute(community, ADD_COMMENT, { postId: 'x', body: 'hi' }, keeper()))?.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('lets only the author or staff delete a post', async () => {
    const author = keeper();
    const post = await createPost(author);
    const DELETE = 'mutation ($id: ID!) { deletePost(id: $id) }';
    expect(firstError(await execute(community, DELETE, { id: post.id }, keeper()))?.code).toBe('FORBIDDEN');
    expect(await expectData(community, DELETE, { id: post.id }, author)).toEqual({ deletePost: post.id });
    expect(await expectData(community, 'query ($id: ID!) { post(id: $id) { id } }', { id: post.id })).toEqual(
      { post: null },
    );
  });
});

describe('follows', () => {
  it('follows users and organizations idempotently and lists both directions', async () => {
    const fan = keeper();
    const star = seedId('user:breeder@terrarium.test');
    const organizationId = await owners.newOrganization();
    const FOLLOW = 'mutation ($t: FollowTargetType!, $id: ID!) { follow(targetType: $t, targetId: $id) }';
    const UNFOLLOW = 'mutation ($t: FollowTargetType!, $id: ID!) { unfollow(targetType: $t, targetId: $id) }';
    await expectData(community, FOLLOW, { t: 'USER', id: star }, fan);
    await expectData(community, FOLLOW, { t: 'USER', id: star }, fan);
    await expectData(community, FOLLOW, { t: 'ORGANIZATION', id: organizationId }, fan);
    expect(firstError(await execute(community, FOLLOW, { t: 'USER', id: fan.userId }, fan))?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(firstError(await execute(community, FOLLOW, { t: 'USER', id: star }))?.code).toBe(
      'UNAUTHENTICATED',
    );

    const data = await expectData<{ _entities: Record<string, unknown>[] }>(
      community,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on User { id followerCount followers { id } following { id } followedOrganizations { id } }
        ... on Organization { id followerCount followers { id } }
      } }`,
      {
        r: [
          { __typename: 'User', id: star },
          { __typename: 'User', id: fan.userId },
          { __typename: 'Organization', id: organizationId },
        ],
      },
    );
    expect(data._entities).toEqual([
      {
        id: star,
        followerCount: 1,
        followers: [{ id: fan.userId }],
        following: [],
        followedOrganizations: [],
      },
      {
        id: fan.userId,
        followerCount: 0,
        followers: [],
        following: [{ id: star }],
        followedOrganizations: [{ id: organizationId }],
      },
      { id: organizationId, followerCount: 1, followers: [{ id: fan.userId }] },
    ]);
    expect(await expectData(community, UNFOLLOW, { t: 'USER', id: star }, fan)).toEqual({ unfollow: true });
    expect(await expectData(community, UNFOLLOW, { t: 'USER', id: star }, fan)).toEqual({ unfollow: false });
  });
});

describe('reports and the moderation queue', () => {
  it('is staff only', async () => {
    expect(firstError(await execute(community, QUEUE, {}, ANONYMOUS))?.code).toBe('UNAUTHENTICATED');
    expect(firstError(await execute(community, QUEUE, {}, keeper()))?.code).toBe('FORBIDDEN');
    expect(
      firstError(await execute(community, RESOLVE, { id: randomUUID(), action: 'DISMISS' }, keeper()))?.code,
    ).toBe('FORBIDDEN');
    expect(
      firstError(
        await execute(community, REPORT, {
          input: { subjectType: 'POST', subjectId: randomUUID(), reason: 'spam' },
        }),
      )?.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('queues reports; REMOVE_CONTENT hides a review everywhere and takes it out of the rating', async () => {
    const productId = await owners.newProduct();
    await postReview(community, keeper(), { productId, rating: 5, body: 'Honest review' });
    const abusive = await postReview(community, keeper(), { productId, rating: 1, body: 'Abusive review' });
    expect((await productRatings(community, [productId]))[0]).toMatchObject({
      averageRating: 3,
      reviewCount: 2,
    });

    const reporter = keeper();
    const first = (
      await expectData<{ report: { id: string; status: string } }>(
        community,
        REPORT,
        { input: { subjectType: 'REVIEW', subjectId: abusive.id, reason: 'Insults the seller' } },
        reporter,
      )
    ).report;
    const again = (
      await expectData<{ report: { id: string } }>(
        community,
        REPORT,
        { input: { subjectType: 'REVIEW', subjectId: abusive.id, reason: 'Again' } },
        reporter,
      )
    ).report;
    expect(again.id).toBe(first.id);
    const second = (
      await expectData<{ report: { id: string } }>(
        community,
        REPORT,
        { input: { subjectType: 'REVIEW', subjectId: abusive.id, reason: 'Rude' } },
        keeper(),
      )
    ).report;

    const moderator = staff();
    const queue = await expectData<{
      moderationQueue: {
        totalCount: number;
        edges: { node: { id: string; subject: { __typename: string; id: string } } }[];
      };
    }>(community, QUEUE, { first: 100 }, moderator);
    const queued = queue.moderationQueue.edges.map((e) => e.node).filter((n) => n.subject?.id === abusive.id);
    expect(queued.map((n) => n.id)).toEqual([first.id, second.id]);
    expect(queued[0]?.subject.__typename).toBe('Review');

    const resolved = await expectData<{ resolveReport: { status: string; resolvedBy: { id: string } } }>(
      community,
      RESOLVE,
      { id: first.id, action: 'REMOVE_CONTENT' },
      moderator,
    );
    expect(resolved.resolveReport).toMatchObject({ status: 'REMOVED', resolvedBy: { id: moderator.userId } });
    expect(
      firstError(await execute(community, RESOLVE, { id: second.id, action: 'DISMISS' }, moderator))?.code,
    ).toBe('CONFLICT');

    expect(
      await expectData(
        community,
        'query ($id: ID!) { review(id: $id) { id } }',
        { id: abusive.id },
        keeper(),
      ),
    ).toEqual({ review: null });
    expect(
      await expectData(
        community,
        'query ($id: ID!) { review(id: $id) { id } }',
        { id: abusive.id },
        moderator,
      ),
    ).toEqual({ review: { id: abusive.id } });
    expect((await productRatings(community, [productId]))[0]).toMatchObject({
      averageRating: 5,
      reviewCount: 1,
    });
    const removed = await expectData<{ moderationQueue: { edges: { node: { id: string } }[] } }>(
      community,
      QUEUE,
      { first: 100, status: 'REMOVED' },
      moderator,
    );
    expect(removed.moderationQueue.edges.map((e) => e.node.id)).toEqual(
      expect.arrayContaining([first.id, second.id]),
    );
    // The decision is owed to ops' audit log, from the decision's transaction; the refused one owes nothing.
    const audits = await community.orm.em
      .fork()
      .getConnection()
      .execute<{ data: Record<string, unknown> }[]>(
        `select data from "${community.jobs.schema}".job where name = 'audit.record' and data->>'action' = 'resolveReport' and data->'diff'->>'subject' = ?
          union all select data from "${community.jobs.schema}".archive where name = 'audit.record' and data->>'action' = 'resolveReport' and data->'diff'->>'subject' = ?`,
        [`REVIEW:${abusive.id}`, `REVIEW:${abusive.id}`],
        'all',
      );
    expect(audits.map((row) => row.data)).toEqual([
      {
        actor: moderator.userId,
        action: 'resolveReport',
        subject: `Report:${first.id}`,
        diff: {
          action: 'REMOVE_CONTENT',
          subject: `REVIEW:${abusive.id}`,
          status: 'REMOVED',
          reportsClosed: 2,
        },
      },
    ]);
  });

  it('DISMISS keeps the content; REMOVE_CONTENT on a post hides it and its comments', async () => {
    const moderator = staff();
    const post = await createPost(keeper(), 'Buy cheap pills');
    const comment = (
      await expectData<{ addComment: { id: string } }>(
        community,
        ADD_COMMENT,
        { postId: post.id, body: 'Not okay' },
        keeper(),
      )
    ).addComment;
    const onComment = (
      await expectData<{ report: { id: string } }>(
        community,
        REPORT,
        { input: { subjectType: 'COMMENT', subjectId: comment.id, reason: 'meh' } },
        keeper(),
      )
    ).report;
    expect(
      (
        await expectData<{ resolveReport: { status: string } }>(
          community,
          RESOLVE,
          { id: onComment.id, action: 'DISMISS' },
          moderator,
        )
      ).resolveReport.status,
    ).toBe('DISMISSED');
    expect(
      await expectData(community, 'query ($id: ID!) { post(id: $id) { comments { totalCount } } }', {
        id: post.id,
      }),
    ).toEqual({ post: { comments: { totalCount: 1 } } });

    const onPost = (
      await expectData<{ report: { id: string } }>(
        community,
        REPORT,
        { input: { subjectType: 'POST', subjectId: post.id, reason: 'Spam' } },
        keeper(),
      )
    ).report;
    await expectData(community, RESOLVE, { id: onPost.id, action: 'REMOVE_CONTENT' }, moderator);
    expect(
      await expectData(community, 'query ($id: ID!) { post(id: $id) { id } }', { id: post.id }, keeper()),
    ).toEqual({ post: null });
    expect(
      firstError(await execute(community, ADD_COMMENT, { postId: post.id, body: 'still here?' }, keeper()))
        ?.code,
    ).toBe('NOT_FOUND');
    expect(
      firstError(
        await execute(
          community,
          REPORT,
          { input: { subjectType: 'COMMENT', subjectId: comment.id, reason: 'x' } },
          keeper(),
        ),
      )?.code,
    ).toBe('NOT_FOUND');
  });

  it('pages the queue oldest first', async () => {
    const moderator = staff();
    const seen: string[] = [];
    let after: string | null = null;
    let total: number;
    do {
      const data: {
        moderationQueue: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          edges: { node: { id: string } }[];
        };
      } = await expectData(community, QUEUE, { first: 1, after, status: 'REMOVED' }, moderator);
      total = data.moderationQueue.totalCount;
      seen.push(...data.moderationQueue.edges.map((e) => e.node.id));
      after = data.moderationQueue.pageInfo.hasNextPage ? data.moderationQueue.pageInfo.endCursor : null;
    } while (after);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });
});

describe('_entities, one case per @key', () => {
  it('resolves Review, Post, Product, Organization and User references', async () => {
    const author = keeper();
    const productId = await owners.newProduct();
    const organizationId = await owners.newOrganization();
    const review = await postReview(community, author, { productId, rating: 4, body: 'Solid' });
    await postReview(community, author, { organizationId, rating: 2, body: 'Slow replies' });
    const post = await createPost(author, 'Entity post');

    const data = await expectData<{ _entities: unknown[] }>(
      community,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        __typename
        ... on Review { id rating author { id } product { id } }
        ... on Post { id title author { id } }
        ... on Product { id averageRating reviewCount reviews(first: 1) { totalCount } }
        ... on Organization { id averageRating reviewCount reviews { edges { node { body } } } }
        ... on User { id posts { totalCount } }
      } }`,
      {
        r: [
          { __typename: 'Review', id: review.id },
          { __typename: 'Post', id: post.id },
          { __typename: 'Product', id: productId },
          { __typename: 'Organization', id: organizationId },
          { __typename: 'User', id: author.userId },
          { __typename: 'Review', id: randomUUID() },
        ],
      },
    );
    expect(data._entities).toEqual([
      {
        __typename: 'Review',
        id: review.id,
        rating: 4,
        author: { id: author.userId },
        product: { id: productId },
      },
      { __typename: 'Post', id: post.id, title: 'Entity post', author: { id: author.userId } },
      { __typename: 'Product', id: productId, averageRating: 4, reviewCount: 1, reviews: { totalCount: 1 } },
      {
        __typename: 'Organization',
        id: organizationId,
        averageRating: 2,
        reviewCount: 1,
        reviews: { edges: [{ node: { body: 'Slow replies' } }] },
      },
      { __typename: 'User', id: author.userId, posts: { totalCount: 1 } },
      null,
    ]);
  });

  it('refuses a malformed id in a representation with BAD_USER_INPUT', async () => {
    const result = await execute(
      community,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviewCount } } }',
      { r: [{ __typename: 'Product', id: 'nope' }] },
    );
    expect(firstError(result)?.code).toBe('BAD_USER_INPUT');
  });
});
