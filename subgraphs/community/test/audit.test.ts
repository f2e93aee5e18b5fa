/**
 * Staff deleting (or editing) someone else's review, post or comment is a privileged write: ops' audit log gets
 * the entry through community's job queue (the real ops subgraph over HTTP), with the actor, the
 * content and whose it was. Authors deleting their own content owe no entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { keeper, postReview, staff, startCommunity, type Community } from './support.js';
import { startOwners, type Owners } from './siblings.js';

interface Row {
  action: string;
  actor_id: string | null;
  subject: string;
  source: string;
  diff: Record<string, unknown>;
}

const CREATE_POST = 'mutation ($input: PostInput!) { createPost(input: $input) { id } }';
const ADD_COMMENT =
  'mutation ($postId: ID!, $body: String!) { addComment(postId: $postId, body: $body) { id } }';
const DELETE = {
  review: 'mutation ($id: ID!) { deleteReview(id: $id) }',
  post: 'mutation ($id: ID!) { deletePost(id: $id) }',
  comment: 'mutation ($id: ID!) { deleteComment(id: $id) }',
};

let owners: Owners;
let community: Community;
beforeAll(async () => {
  owners = await startOwners('community_audit_test');
  community = await startCommunity('community_audit_test', { env: owners.env });
});
afterAll(async () => {
  await community?.stop();
  await owners?.stop();
});

/** Ops' audit entries of community's deletes of these subjects. */
const auditRows = (subjects: string[]) =>
  owners.ops.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<Row[]>(
      `select action, actor_id, subject, source, diff from audit_log
        where action in ('deleteReview', 'deletePost', 'deleteComment') and subject in (?) order by subject`,
      [subjects],
    );

/** Audit jobs community owes for these subjects, delivered or not (the outbox). */
const auditJobs = (subjects: string[]) =>
  community.orm.em
    .fork()
    .getConnection()
    .execute<{ subject: string }[]>(
      `select data->>'subject' as subject from "${community.jobs.schema}".job where name = 'audit.record' and data->>'subject' in (?)
        union all
       select data->>'subject' from "${community.jobs.schema}".archive where name = 'audit.record' and data->>'subject' in (?)`,
      [subjects, subjects],
    );

/** A keeper's review, post and comment on that post. */
async function contentOf(author = keeper()) {
  const productId = await owners.newProduct();
  const review = await postReview(community, author, { productId, rating: 2, body: 'Not great' });
  const { createPost } = await expectData<{ createPost: { id: string } }>(
    community,
    CREATE_POST,
    { input: { title: 'Setup help', body: 'Which substrate?' } },
    author,
  );
  const { addComment } = await expectData<{ addComment: { id: string } }>(
    community,
    ADD_COMMENT,
    { postId: createPost.id, body: 'Coco fibre' },
    author,
  );
  return { author, productId, review: review.id, post: createPost.id, comment: addComment.id };
}

describe('community: audit of staff deletes in ops', () => {
  it("records staff deleting someone else's review, comment and post once, with actor, subject and author", async () => {
    const content = await contentOf();
    const moderator = staff();
    // The comment first: deleting the post would take it with it.
    for (const kind of ['review', 'comment', 'post'] as const)
      await expectData(community, DELETE[kind], { id: content[kind] }, moderator);

    const subjects = [`Comment:${content.comment}`, `Post:${content.post}`, `Review:${content.review}`];
    const until = Date.now() + 15_000;
    let rows: Row[];
    while ((rows = await auditRows(subjects)).length < 3 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // Owed once each (the query the next case relies on finds them).
    expect(await auditJobs(subjects)).toHaveLength(3);
    const by = { actor_id: moderator.userId, source: 'community' };
    expect(rows).toEqual([
      {
        ...by,
        action: 'deleteComment',
        subject: subjects[0],
        diff: { authorId: content.author.userId, postId: content.post },
      },
      {
        ...by,
        action: 'deletePost',
        subject: subjects[1],
        diff: { authorId: content.author.userId, title: 'Setup help' },
      },
      {
        ...by,
        action: 'deleteReview',
        subject: subjects[2],
        diff: {
          authorId: content.author.userId,
          rating: 2,
          about: { type: 'PRODUCT', id: content.productId },
          hidden: false,
        },
      },
    ]);
  }, 30_000);

  it("records staff editing someone else's review, before and after; an author's own edit owes none", async () => {
    const productId = await owners.newProduct();
    const author = keeper();
    const review = await postReview(community, author, { productId, rating: 4, body: 'Solid' });
    const UPDATE =
      'mutation ($id: ID!, $input: ReviewUpdateInput!) { updateReview(id: $id, input: $input) { id } }';
    await expectData(community, UPDATE, { id: review.id, input: { rating: 3 } }, author);
    const subject = `Review:${review.id}`;
    expect(await auditJobs([subject])).toEqual([]);

    const moderator = staff();
    await expectData(community, UPDATE, { id: review.id, input: { body: 'Edited by staff' } }, moderator);
    const until = Date.now() + 15_000;
    let rows: Row[];
    const edits = () =>
      owners.ops.subgraph.orm.em
        .fork()
        .getConnection()
        .execute<Row[]>(
          `select action, actor_id, subject, source, diff from audit_log where action = 'updateReview' and subject = ?`,
          [subject],
        );
    while ((rows = await edits()).length < 1 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rows).toEqual([
      {
        action: 'updateReview',
        actor_id: moderator.userId,
        subject,
        source: 'community',
        diff: {
          authorId: author.userId,
          before: { rating: 3, body: 'Solid' },
          after: { rating: 3, body: 'Edited by staff' },
        },
      },
    ]);
  }, 30_000);

  it('owes no entry when authors delete their own content, staff among them', async () => {
    for (const author of [keeper(), staff()]) {
      const content = await contentOf(author);
      for (const kind of ['review', 'comment', 'post'] as const)
        await expectData(community, DELETE[kind], { id: content[kind] }, author);
      // The entry would be enqueued in the delete's transaction, so its absence is final.
      expect(
        await auditJobs([`Review:${content.review}`, `Post:${content.post}`, `Comment:${content.comment}`]),
      ).toEqual([]);
    }
  });
});
