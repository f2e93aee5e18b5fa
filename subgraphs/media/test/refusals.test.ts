import type { EntityManager } from '@mikro-orm/postgresql';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpload } from '../src/services/signing.js';
import { sweepAbandonedUploads } from '../src/services/sweep.js';
import { expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import {
  COMPLETE_UPLOAD,
  STAFF,
  createUpload,
  filesIn,
  put,
  startMedia,
  testImage,
  type Started,
  type Ticket,
} from './support.js';

let media: Started;
beforeAll(async () => {
  media = await startMedia('media_test_refusals');
});
afterAll(async () => {
  await media?.stop();
});

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/**
 * Runs a refused PUT and checks that it left nothing behind: no file in storage (staged or temp),
 * and an upload that still has no file (completeUpload refuses it).
 */
async function expectRefused(ticket: Ticket, body: Buffer, status: number, code: string, url?: string) {
  const before = filesIn(media.storageDir);
  const response = await put(ticket, body, url);
  expect(response).toEqual({ status, body: { error: expect.any(String), code } });
  expect(filesIn(media.storageDir)).toEqual(before);
  expect(filesIn(media.storageDir).filter((f) => f.startsWith('uploads/') || f.startsWith('.tmp/'))).toEqual(
    [],
  );
  await expectErrorCode(media.subgraph, 'BAD_USER_INPUT', COMPLETE_UPLOAD, { id: ticket.uploadId }, STAFF);
  return response.body;
}

async function ticketFor(contentType: string, byteSize: number) {
  return createUpload(media.subgraph, { ownerType: 'PRODUCT', contentType, byteSize });
}

describe('PUT /uploads refusals', () => {
  it('refuses bytes that are not what the header claims (text sent as PNG): 415', async () => {
    const text = Buffer.from('this is plain text pretending to be a PNG image, honestly');
    const body = await expectRefused(
      await ticketFor('image/png', text.length),
      text,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(body['error']).toMatch(/allowed types are image\/jpeg, image\/png, image\/webp, application\/pdf/);
  });

  it('refuses bytes of a type that is not allowed (a GIF sent as PNG): 415', async () => {
    const body = await expectRefused(
      await ticketFor('image/png', GIF.length),
      GIF,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(body['error']).toMatch(/image\/gif/);
  });

  it('refuses an allowed type other than the one signed (a JPEG sent for a PNG upload): 415', async () => {
    const jpeg = await testImage(50, 50, 'jpeg');
    await expectRefused(await ticketFor('image/png', jpeg.length), jpeg, 415, 'CONTENT_TYPE_MISMATCH');
  });

  it("refuses a body over the upload's size with 413, declared or streamed, and the upload stays usable", async () => {
    const png = await testImage(300, 200, 'png');
    const ticket = await ticketFor('image/png', png.length);
    await expectRefused(ticket, Buffer.concat([png, Buffer.alloc(4096)]), 413, 'PAYLOAD_TOO_LARGE');

    // Without Content-Length (chunked), reading stops at the first chunk past the limit.
    const before = filesIn(media.storageDir);
    const chunks = [png, Buffer.alloc(64 * 1024)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const response = await fetch(ticket.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(filesIn(media.storageDir)).toEqual(before);

    // A refusal does not use the URL up: the right bytes are still accepted.
    expect((await put(ticket, png)).status).toBe(200);
    await expectData(media.subgraph, COMPLETE_UPLOAD, { id: ticket.uploadId }, STAFF);
  });

  it('refuses an expired URL with 410, even though its signature is genuine', async () => {
    const png = await testImage(20, 20, 'png');
    const ticket = await ticketFor('image/png', png.length);
    const expires = Math.floor(Date.now() / 1000) - 60;
    const sig = signUpload(media.subgraph.deps.settings.signingSecret, {
      uploadId: ticket.uploadId,
      maxBytes: png.length,
      contentType: 'image/png',
      expires,
    });
    await expectRefused(
      ticket,
      png,
      410,
      'UPLOAD_EXPIRED',
      `${media.origin}/uploads/${ticket.uploadId}?expires=${expires}&sig=${sig}`,
    );
  });

  it("refuses a tampered URL with 403: changed signature, extended expiry, another upload's id", async () => {
    const png = await testImage(20, 20, 'png');
    const ticket = await ticketFor('image/png', png.length);
    const other = await ticketFor('image/png', png.length);
    const url = new URL(ticket.uploadUrl);
    const sig = url.searchParams.get('sig')!;
    const flipped = new URL(url);
    flipped.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const swapped = new URL(other.uploadUrl);
    swapped.searchParams.set('sig', sig);
    for (const tampered of [flipped, later, swapped]) {
      await expectRefused(ticket, png, 403, 'INVALID_SIGNATURE', tampered.toString());
    }
    await expectRefused(ticket, png, 403, 'INVALID_SIGNATURE', `${media.origin}/uploads/${ticket.uploadId}`);
  });

  it('refuses an image that does not decode with 422: PNG magic then garbage, and a truncated JPEG', async () => {
    const garbage = Buffer.concat([
      PNG_MAGIC,
      Buffer.from('IHDR but then nothing that libpng could ever read'.repeat(20)),
    ]);
    const body = await expectRefused(
      await ticketFor('image/png', garbage.length),
      garbage,
      422,
      'UNDECODABLE_IMAGE',
    );
    expect(body['error']).toMatch(/does not decode/);

    const jpeg = await sharp({
      create: {
        width: 400,
        height: 300,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    await expectRefused(await ticketFor('image/jpeg', truncated.length), truncated, 422, 'UNDECODABLE_IMAGE');
  });

  it('answers the CORS preflight and refuses other methods', async () => {
    const ticket = await ticketFor('image/png', 100);
    const preflight = await fetch(ticket.uploadUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    const get = await fetch(ticket.uploadUrl);
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('abandoned uploads', () => {
  it('sweeps uploads a day past expiry, with their staged bytes', async () => {
    const png = await testImage(30, 30, 'png');
    const ticket = await ticketFor('image/png', png.length);
    expect((await put(ticket, png)).status).toBe(200);
    expect(filesIn(media.storageDir).filter((f) => f.startsWith(`uploads/${ticket.uploadId}/`))).toHaveLength(
      1,
    );

    const em = media.subgraph.orm.em.fork() as EntityManager;
    await em
      .getConnection()
      .execute("update upload set expires_at = now() - interval '2 days' where id = ?", [ticket.uploadId]);
    expect(
      await sweepAbandonedUploads(em, media.subgraph.deps.storage, media.subgraph.logger),
    ).toBeGreaterThanOrEqual(1);
    expect(filesIn(media.storageDir).filter((f) => f.startsWith('uploads/'))).toEqual([]);
    await expectErrorCode(media.subgraph, 'NOT_FOUND', COMPLETE_UPLOAD, { id: ticket.uploadId }, STAFF);
  });
});
