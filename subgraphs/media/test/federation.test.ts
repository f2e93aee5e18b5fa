import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import {
  BREEDER,
  COMPLETE_UPLOAD,
  KEEPER,
  STAFF,
  createUpload,
  put,
  startMedia,
  testImage,
  type Started,
} from './support.js';

let media: Started;
beforeAll(async () => {
  media = await startMedia('media_test_federation');
});
afterAll(async () => {
  await media?.stop();
});

const SUNSET = seedId('org:sunset-reptiles');

/** Asset rows straight into the table: these tests are about reading, not uploading. */
async function insertAssets(
  rows: { ownerType: string; ownerId: string; kind?: string; position: number }[],
): Promise<string[]> {
  const em = media.subgraph.orm.em.fork() as EntityManager;
  const ids = rows.map(() => randomUUID());
  await em.getConnection().execute(
    `insert into media_asset (id, owner_type, owner_id, position, kind, content_type, byte_size, width, height, checksum, storage_key) values ${rows
      .map(() => "(?, ?, ?, ?, ?, 'image/webp', 1000, 800, 600, repeat('a', 64), 'assets/x/original.webp')")
      .join(', ')}`,
    rows.flatMap((row, i) => [ids[i], row.ownerType, row.ownerId, row.position, row.kind ?? 'IMAGE']),
  );
  return ids;
}

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on MediaAsset {
        id
        url(width: 100)
      }
      ... on Product {
        id
        images(first: 2) {
          id
          position
        }
        attachments {
          id
        }
      }
      ... on Animal {
        id
        photos(first: 1) {
          id
        }
      }
      ... on Organization {
        id
        logo {
          id
        }
      }
      ... on Post {
        id
        images {
          id
        }
      }
    }
  }
`;

describe('entities', () => {
  const productId = randomUUID();
  const animalId = randomUUID();
  const postId = randomUUID();
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    const [p0, p1, p2, pdf] = await insertAssets([
      { ownerType: 'PRODUCT', ownerId: productId, position: 2 },
      { ownerType: 'PRODUCT', ownerId: productId, position: 0 },
      { ownerType: 'PRODUCT', ownerId: productId, position: 1 },
      { ownerType: 'PRODUCT', ownerId: productId, position: 3, kind: 'DOCUMENT' },
    ]);
    const [a0, a1] = await insertAssets([
      { ownerType: 'ANIMAL', ownerId: animalId, position: 0 },
      { ownerType: 'ANIMAL', ownerId: animalId, position: 1 },
    ]);
    const [old, latest] = await insertAssets([
      { ownerType: 'ORGANIZATION', ownerId: SUNSET, position: 0 },
      { ownerType: 'ORGANIZATION', ownerId: SUNSET, position: 1 },
    ]);
    const [post] = await insertAssets([{ ownerType: 'POST', ownerId: postId, position: 0 }]);
    ids = { product: [p1!, p2!, p0!], pdf: [pdf!], animal: [a0!, a1!], org: [old!, latest!], post: [post!] };
  });

  it('resolves MediaAsset by @key(fields: "id")', async () => {
    const [id] = ids['animal']!;
    const data = await expectData<{ _entities: unknown[] }>(media.subgraph, ENTITIES, {
      representations: [
        { __typename: 'MediaAsset', id },
        { __typename: 'MediaAsset', id: randomUUID() },
      ],
    });
    expect(data._entities).toEqual([
      { __typename: 'MediaAsset', id, url: `${media.origin}/files/${id}/w100.webp` },
      null,
    ]);
  });

  it('resolves Product by @key(fields: "id") with images in position order and PDF attachments apart', async () => {
    const data = await expectData<{ _entities: unknown[] }>(media.subgraph, ENTITIES, {
      representations: [{ __typename: 'Product', id: productId }],
    });
    const [first, second] = ids['product']!;
    expect(data._entities).toEqual([
      {
        __typename: 'Product',
        id: productId,
        images: [
          { id: first, position: 0 },
          { id: second, position: 1 },
        ],
        attachments: [{ id: ids['pdf']![0] }],
      },
    ]);
  });

  it('resolves Animal by @key(fields: "id") with its photos', async () => {
    const data = await expectData<{ _entities: unknown[] }>(media.subgraph, ENTITIES, {
      representations: [
        { __typename: 'Animal', id: animalId },
        { __typename: 'Animal', id: randomUUID() },
      ],
    });
    expect(data._entities).toEqual([
      { __typename: 'Animal', id: animalId, photos: [{ id: ids['animal']![0] }] },
      { __typename: 'Animal', id: expect.any(String), photos: [] },
    ]);
  });

  it('resolves Organization by @key(fields: "id") with its latest image as logo', async () => {
    const data = await expectData<{ _entities: unknown[] }>(media.subgraph, ENTITIES, {
      representations: [
        { __typename: 'Organization', id: SUNSET },
        { __typename: 'Organization', id: seedId('org:desert-morphs') },
      ],
    });
    expect(data._entities).toEqual([
      { __typename: 'Organization', id: SUNSET, logo: { id: ids['org']![1] } },
      { __typename: 'Organization', id: seedId('org:desert-morphs'), logo: null },
    ]);
  });

  it('resolves Post by @key(fields: "id") with its images', async () => {
    const data = await expectData<{ _entities: unknown[] }>(media.subgraph, ENTITIES, {
      representations: [{ __typename: 'Post', id: postId }],
    });
    expect(data._entities).toEqual([{ __typename: 'Post', id: postId, images: [{ id: ids['post']![0] }] }]);
  });

  it('refuses a malformed id in a representation and a bad "first" with BAD_USER_INPUT', async () => {
    await expectErrorCode(media.subgraph, 'BAD_USER_INPUT', ENTITIES, {
      representations: [{ __typename: 'Product', id: 'sku-1' }],
    });
    await expectErrorCode(
      media.subgraph,
      'BAD_USER_INPUT',
      '{ _entities(representations: [{ __typename: "Post", id: "4f6f0c84-8d51-4a6c-9d8b-2f0a1e0c9b11" }]) { ... on Post { images(first: 101) { id } } } }',
    );
  });
});

describe('batching', () => {
  it('loads images for 20 products in one SQL statement', async () => {
    const products = Array.from({ length: 20 }, () => randomUUID());
    await insertAssets(
      products.flatMap((ownerId) =>
        [0, 1, 2].map((position) => ({ ownerType: 'PRODUCT', ownerId, position })),
      ),
    );
    const before = media.subgraph.sqlStatementCount();
    const data = await expectData<{ _entities: { id: string; images: { id: string; url: string }[] }[] }>(
      media.subgraph,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id images(first: 2) { id url(width: 200) } } } }',
      { r: products.map((id) => ({ __typename: 'Product', id })) },
    );
    expect(media.subgraph.sqlStatementCount() - before).toBe(1);
    expect(data._entities.map((p) => p.id)).toEqual(products);
    expect(data._entities.every((p) => p.images.length === 2)).toBe(true);
  });

  it('loads photos of several animals with different "first" in one statement', async () => {
    const animals = [randomUUID(), randomUUID()];
    await insertAssets(
      animals.flatMap((ownerId) => [0, 1, 2].map((position) => ({ ownerType: 'ANIMAL', ownerId, position }))),
    );
    const before = media.subgraph.sqlStatementCount();
    const data = await expectData<{ _entities: { one: unknown[]; three: unknown[] }[] }>(
      media.subgraph,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Animal { one: photos(first: 1) { id } three: photos(first: 3) { id } } } }',
      { r: animals.map((id) => ({ __typename: 'Animal', id })) },
    );
    expect(media.subgraph.sqlStatementCount() - before).toBe(1);
    expect(data._entities.map((a) => [a.one.length, a.three.length])).toEqual([
      [1, 3],
      [1, 3],
    ]);
  });
});

describe('ownership of uploads', () => {
  const uploadFor = (ownerType: string, ownerId: string) => ({
    input: { ownerType, ownerId, contentType: 'image/png', byteSize: 100 },
  });
  const CREATE = 'mutation ($input: CreateUploadInput!) { createUpload(input: $input) { uploadId } }';

  it("lets members upload their organization's logo, and nobody else's", async () => {
    await expectErrorCode(
      media.subgraph,
      'FORBIDDEN',
      CREATE,
      uploadFor('ORGANIZATION', seedId('org:desert-morphs')),
      BREEDER,
    );
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('ORGANIZATION', SUNSET), KEEPER);

    const png = await testImage(256, 256, 'png');
    const ticket = await createUpload(
      media.subgraph,
      { ownerType: 'ORGANIZATION', ownerId: SUNSET, contentType: 'image/png', byteSize: png.length },
      BREEDER,
    );
    expect((await put(ticket, png)).status).toBe(200);
    const { completeUpload } = await expectData<{ completeUpload: { id: string } }>(
      media.subgraph,
      COMPLETE_UPLOAD,
      { id: ticket.uploadId },
      BREEDER,
    );
    const data = await expectData<{ _entities: { logo: { id: string; width: number } }[] }>(
      media.subgraph,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { logo { id width } } } }',
      { r: [{ __typename: 'Organization', id: SUNSET }] },
    );
    expect(data._entities[0]!.logo).toEqual({ id: completeUpload.id, width: 256 });
  });

  // Animal photos and post images: ownership.test.ts, against the real inventory and community.
  it('keeps products staff-only', async () => {
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE, uploadFor('PRODUCT', randomUUID()), BREEDER);
    await expectData(media.subgraph, CREATE, uploadFor('PRODUCT', randomUUID()), STAFF);
  });
});
