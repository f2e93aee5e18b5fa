import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import {
  BREEDER,
  COMPLETE_UPLOAD,
  CREATE_UPLOAD,
  KEEPER,
  PDF,
  STAFF,
  createUpload,
  filesIn,
  put,
  startMedia,
  testImage,
  type Started,
} from './support.js';

const ASSET = /* GraphQL */ `
  query ($id: ID!, $small: Int, $large: Int, $huge: Int) {
    mediaAsset(id: $id) {
      id
      kind
      contentType
      width
      height
      small: url(width: $small)
      large: url(width: $large)
      huge: url(width: $huge)
      original: url
    }
  }
`;

interface Asset {
  id: string;
  kind: string;
  contentType: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  alt: string | null;
  checksum: string;
  position: number;
}

let media: Started;
beforeAll(async () => {
  media = await startMedia('media_test_uploads');
});
afterAll(async () => {
  await media?.stop();
});

async function uploadAndComplete(
  bytes: Buffer,
  contentType: string,
  input: { ownerType?: string; ownerId?: string; alt?: string } = {},
) {
  const ticket = await createUpload(media.subgraph, {
    ownerType: 'PRODUCT',
    contentType,
    byteSize: bytes.length,
    ...input,
  });
  const put1 = await put(ticket, bytes);
  expect(put1.status).toBe(200);
  const { completeUpload } = await expectData<{ completeUpload: Asset }>(
    media.subgraph,
    COMPLETE_UPLOAD,
    { id: ticket.uploadId },
    STAFF,
  );
  return { ticket, asset: completeUpload };
}

describe('upload through a signed URL, then variants', () => {
  it('stores a JPEG, records it, and serves variants of the requested widths (never upscaled)', async () => {
    const jpeg = await testImage(1000, 750, 'jpeg');
    const { ticket, asset } = await uploadAndComplete(jpeg, 'image/jpeg', { alt: 'Heat emitter, side view' });
    expect(ticket.uploadUrl).toMatch(
      new RegExp(`^${media.origin}/uploads/${ticket.uploadId}\\?expires=\\d+&sig=[\\w-]+$`),
    );
    expect(ticket.headers).toEqual([{ name: 'Content-Type', value: 'image/jpeg' }]);
    expect(asset).toMatchObject({
      kind: 'IMAGE',
      contentType: 'image/jpeg',
      byteSize: jpeg.length,
      width: 1000,
      height: 750,
      alt: 'Heat emitter, side view',
      position: 0,
    });
    expect(asset.checksum).toMatch(/^[0-9a-f]{64}$/);

    const { mediaAsset } = await expectData<{ mediaAsset: Record<string, string> }>(media.subgraph, ASSET, {
      id: asset.id,
      small: 350,
      large: 800,
      huge: 1200,
    });
    expect(mediaAsset['small']).toBe(`${media.origin}/files/${asset.id}/w400.jpg`);
    expect(mediaAsset['large']).toBe(`${media.origin}/files/${asset.id}/w800.jpg`);
    // 1200 is wider than the 1000 px original: the original is served, not an upscaled copy.
    expect(mediaAsset['huge']).toBe(`${media.origin}/files/${asset.id}/original.jpg`);
    expect(mediaAsset['original']).toBe(mediaAsset['huge']);

    for (const [key, width] of [
      ['small', 400],
      ['large', 800],
      ['huge', 1000],
    ] as const) {
      const response = await fetch(mediaAsset[key]!);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect(metadata.format).toBe('jpeg');
      expect(metadata.width).toBe(width);
    }
    // Variants are made once and kept in storage beside the original.
    expect(filesIn(media.storageDir).filter((f) => f.startsWith(`assets/${asset.id}/`))).toEqual([
      `assets/${asset.id}/original.jpg`,
      `assets/${asset.id}/w400.jpg`,
      `assets/${asset.id}/w800.jpg`,
    ]);
  });

  it('answers a matching If-None-Match with 304 and refuses unknown files with 404', async () => {
    const { asset } = await uploadAndComplete(await testImage(640, 480, 'png'), 'image/png');
    const url = `${media.origin}/files/${asset.id}/w300.png`;
    const first = await fetch(url);
    const etag = first.headers.get('etag');
    expect(etag).toBe(`"${asset.checksum}-w300"`);
    expect((await sharp(Buffer.from(await first.arrayBuffer())).metadata()).width).toBe(300);
    expect((await fetch(url, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    expect((await fetch(`${media.origin}/files/${asset.id}/w250.png`)).status).toBe(404);
    expect((await fetch(`${media.origin}/files/${asset.id}/w300.jpg`)).status).toBe(404);
    expect((await fetch(`${media.origin}/files/${randomUUID()}/original.png`)).status).toBe(404);
  });

  it('serves a PDF exactly as uploaded, whatever width is asked', async () => {
    const { asset } = await uploadAndComplete(PDF, 'application/pdf');
    expect(asset).toMatchObject({
      kind: 'DOCUMENT',
      contentType: 'application/pdf',
      width: null,
      height: null,
    });
    const { mediaAsset } = await expectData<{ mediaAsset: Record<string, string> }>(media.subgraph, ASSET, {
      id: asset.id,
      small: 200,
    });
    expect(mediaAsset['small']).toBe(`${media.origin}/files/${asset.id}/original.pdf`);
    const response = await fetch(mediaAsset['small']!);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await response.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('completes an upload once: a retry returns the same asset, a second PUT is refused', async () => {
    const png = await testImage(120, 90, 'png');
    const { ticket, asset } = await uploadAndComplete(png, 'image/png');
    const again = await expectData<{ completeUpload: Asset }>(
      media.subgraph,
      COMPLETE_UPLOAD,
      { id: ticket.uploadId },
      STAFF,
    );
    expect(again.completeUpload.id).toBe(asset.id);
    expect((await put(ticket, png)).status).toBe(409);
  });

  it("numbers an owner's assets in upload order", async () => {
    const ownerId = randomUUID();
    const png = await testImage(64, 64, 'png');
    const first = await uploadAndComplete(png, 'image/png', { ownerId });
    const second = await uploadAndComplete(png, 'image/png', { ownerId });
    expect([first.asset.position, second.asset.position]).toEqual([0, 1]);
  });

  it('deletes an asset with its original and variants', async () => {
    const { asset } = await uploadAndComplete(await testImage(500, 400, 'webp'), 'image/webp');
    expect((await fetch(`${media.origin}/files/${asset.id}/w200.webp`)).status).toBe(200);
    await expectErrorCode(
      media.subgraph,
      'FORBIDDEN',
      'mutation ($id: ID!) { deleteMediaAsset(id: $id) }',
      { id: asset.id },
      KEEPER,
    );
    await expectData(
      media.subgraph,
      'mutation ($id: ID!) { deleteMediaAsset(id: $id) }',
      { id: asset.id },
      STAFF,
    );
    expect(filesIn(media.storageDir).filter((f) => f.includes(asset.id))).toEqual([]);
    expect((await fetch(`${media.origin}/files/${asset.id}/original.webp`)).status).toBe(404);
  });
});

describe('createUpload and completeUpload refusals', () => {
  const input = (extra: Record<string, unknown> = {}) => ({
    input: { ownerType: 'PRODUCT', ownerId: randomUUID(), contentType: 'image/png', byteSize: 100, ...extra },
  });

  it('requires a signed-in caller with a right to the owner', async () => {
    await expectErrorCode(media.subgraph, 'UNAUTHENTICATED', CREATE_UPLOAD, input());
    await expectErrorCode(media.subgraph, 'FORBIDDEN', CREATE_UPLOAD, input(), KEEPER);
    await expectData(
      media.subgraph,
      CREATE_UPLOAD,
      input({ ownerType: 'ORGANIZATION', ownerId: seedId('org:sunset-reptiles') }),
      BREEDER,
    );
  });

  it('refuses a type that is not allowed, a PDF outside products, a size over the limit and a bad id', async () => {
    expect(
      (
        await expectErrorCode(
          media.subgraph,
          'BAD_USER_INPUT',
          CREATE_UPLOAD,
          input({ contentType: 'image/gif' }),
          STAFF,
        )
      ).message,
    ).toMatch(/image\/gif/);
    await expectErrorCode(
      media.subgraph,
      'BAD_USER_INPUT',
      CREATE_UPLOAD,
      input({ ownerType: 'ANIMAL', contentType: 'application/pdf' }),
      STAFF,
    );
    expect(
      (
        await expectErrorCode(
          media.subgraph,
          'BAD_USER_INPUT',
          CREATE_UPLOAD,
          input({ byteSize: 10 * 1024 * 1024 + 1 }),
          STAFF,
        )
      ).extensions?.['field'],
    ).toBe('byteSize');
    await expectErrorCode(
      media.subgraph,
      'BAD_USER_INPUT',
      CREATE_UPLOAD,
      input({ ownerId: 'not-a-uuid' }),
      STAFF,
    );
  });

  it('completes only received uploads, and only for the user who created them', async () => {
    const ticket = await createUpload(
      media.subgraph,
      {
        ownerType: 'ORGANIZATION',
        ownerId: seedId('org:sunset-reptiles'),
        contentType: 'image/png',
        byteSize: 100,
      },
      BREEDER,
    );
    expect(
      (
        await expectErrorCode(
          media.subgraph,
          'BAD_USER_INPUT',
          COMPLETE_UPLOAD,
          { id: ticket.uploadId },
          BREEDER,
        )
      ).message,
    ).toMatch(/No file has been received/);
    await expectErrorCode(media.subgraph, 'FORBIDDEN', COMPLETE_UPLOAD, { id: ticket.uploadId }, STAFF);
    await expectErrorCode(media.subgraph, 'NOT_FOUND', COMPLETE_UPLOAD, { id: randomUUID() }, KEEPER);
    await expectErrorCode(media.subgraph, 'BAD_USER_INPUT', COMPLETE_UPLOAD, { id: 'nope' }, KEEPER);
  });
});
