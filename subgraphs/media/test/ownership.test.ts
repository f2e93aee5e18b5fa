import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@terrarium/platform/caller';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSibling, type RunningSibling } from './siblings.js';
import { expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import { BREEDER, KEEPER, STAFF, startMedia, type Started } from './support.js';

/*
 * Who may add photos to an animal or images to a post is decided by their owners: media asks the
 * real inventory and community subgraphs (started here from their sources, demo data seeded).
 */
let inventory: RunningSibling;
let community: RunningSibling;
let media: Started;
beforeAll(async () => {
  [inventory, community] = await Promise.all([
    startSibling('inventory', 'media_test_own_inventory'),
    startSibling('community', 'media_test_own_community'),
  ]);
  media = await startMedia('media_test_ownership', {
    INVENTORY_URL: inventory.url,
    COMMUNITY_URL: community.url,
  });
});
afterAll(async () => {
  await media?.stop();
  await Promise.all([inventory?.subgraph.stop(), community?.subgraph.stop()]);
});

const CREATE = 'mutation ($input: CreateUploadInput!) { createUpload(input: $input) { uploadId } }';
const uploadFor = (ownerType: 'ANIMAL' | 'POST', ownerId: string) => ({
  input: { ownerType, ownerId, contentType: 'image/png', byteSize: 100 },
});
/** Animal 1 belongs to sunset-reptiles (Bea Breeder's), animal 2 to scales-and-tails. */
const OWN_ANIMAL = seedId('animal:1');
const OTHER_ANIMAL = seedId('animal:2');
const SAM_SCALES: Caller = {
  ...BREEDER,
  userId: seedId('user:scales@terrarium.test'),
  organizationIds: [seedId('org:scales-and-tails')],
};

async function uploadCount(ownerId: string): Promise<number> {
  const em = media.subgraph.orm.em.fork() as EntityManager;
  const [row] = await em
    .getConnection()
    .execute<{ n: number }[]>('select count(*)::int as n from upload where owner_id = ?', [ownerId]);
  return row!.n;
}

async function createPost(author: Caller): Promise<string> {
  const response = await community.subgraph.execute(
    { query: 'mutation { createPost(input: { title: "New vivarium", body: "Photos to follow." }) { id } }' },
    author,
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  const { data, errors } = response.body.singleResult;
  if (errors?.length) throw new Error(`createPost failed: ${JSON.stringify(errors)}`);
  return (data as { createPost: { id: string } }).createPost.id;
}

describe('animal photos: staff or the breeder inventory names', () => {
  it("lets the owning breeder and staff upload, refuses another organization's breeder and keepers", async () => {
    await expectData(media.subgraph, CREATE, uploadFor('ANIMAL', OWN_ANIMAL), BREEDER);
    await expectData(media.subgraph, CREATE, uploadFor('ANIMAL', OTHER_ANIMAL), SAM_SCALES);
    await expectData(media.subgraph, CREATE, uploadFor('ANIMAL', OTHER_ANIMAL), STAFF);
    expect(await uploadCount(OTHER_ANIMAL)).toBe(2);

    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('ANIMAL', OTHER_ANIMAL), BREEDER);
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('ANIMAL', OWN_ANIMAL), SAM_SCALES);
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('ANIMAL', OWN_ANIMAL), KEEPER);
    expect(await uploadCount(OWN_ANIMAL)).toBe(1);
  });

  it('is NOT_FOUND for an animal inventory does not know, also for staff', async () => {
    const unknown = randomUUID();
    await expectErrorCode(media.subgraph, 'NOT_FOUND', CREATE, uploadFor('ANIMAL', unknown), BREEDER);
    await expectErrorCode(media.subgraph, 'NOT_FOUND', CREATE, uploadFor('ANIMAL', unknown), STAFF);
    expect(await uploadCount(unknown)).toBe(0);
  });
});

describe('post images: staff or the author community names', () => {
  it('lets the author and staff upload, refuses other users', async () => {
    const postId = await createPost(KEEPER);
    await expectData(media.subgraph, CREATE, uploadFor('POST', postId), KEEPER);
    await expectData(media.subgraph, CREATE, uploadFor('POST', postId), STAFF);
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('POST', postId), BREEDER);
    expect(await uploadCount(postId)).toBe(2);
  });

  it('is NOT_FOUND for a post community does not know', async () => {
    await expectErrorCode(media.subgraph, 'NOT_FOUND', CREATE, uploadFor('POST', randomUUID()), KEEPER);
  });
});

describe('an owner that cannot be reached', () => {
  // Last: it stops community.
  it('is SERVICE_UNAVAILABLE and records nothing; other owners are unaffected', async () => {
    const postId = await createPost(KEEPER);
    await community.subgraph.stop();
    const error = await expectErrorCode(
      media.subgraph,
      'SERVICE_UNAVAILABLE',
      CREATE,
      uploadFor('POST', postId),
      KEEPER,
    );
    expect(error.message).toMatch(/community/);
    expect(await uploadCount(postId)).toBe(0);
    await expectData(media.subgraph, CREATE, uploadFor('ANIMAL', OWN_ANIMAL), BREEDER);
  });
});
