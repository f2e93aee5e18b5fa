/**
 * Media in a fleet: two API instances (JOBS_MODE=api) and one job worker process (`--worker`)
 * share one Postgres schema and one bucket on a real S3-compatible server (s3rver, its own
 * process on this machine, speaking the S3 REST API the AWS SDK calls). A photo uploaded through
 * one instance is completed, resized and served through the other, the worker sweeps abandoned
 * uploads from the bucket, and every byte is in the bucket: nothing is written to local disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { EntityManager } from '@mikro-orm/postgresql';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData } from '@terrarium/subgraph-kit/testing';
import type { S3Settings } from '../src/settings.js';
import { createS3Client, createS3Storage } from '../src/services/storage/s3.storage.js';
import { sweepJob } from '../src/subgraph.js';
import {
  refusesConnections,
  startMediaWorker,
  WORKER_START_TIMEOUT_MS,
  type RunningWorker,
} from './media-worker.js';
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3 } from './s3-server.js';
import {
  COMPLETE_UPLOAD,
  STAFF,
  createUpload,
  filesIn,
  put,
  startMedia,
  testImage,
  type Started,
} from './support.js';

const SCHEMA = 'media_test_s3_fleet';
const ASSET_URLS = /* GraphQL */ `
  query ($id: ID!) {
    mediaAsset(id: $id) {
      small: url(width: 400)
      large: url(width: 800)
      original: url
    }
  }
`;

let s3: RunningS3;
let a: Started;
let b: Started;
let worker: RunningWorker;
/** The worker's storage root: given, so that it can be checked empty (S3 is used instead). */
let workerStorageDir: string;
/** The test's own client on the bucket, to see what media stored there. */
let bucket: S3Client;

function settingsOf(server: RunningS3, accessKeyId: string = S3RVER_CREDENTIALS.accessKeyId): S3Settings {
  return {
    bucket: server.bucket,
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: S3RVER_CREDENTIALS.secretAccessKey },
  };
}

/** Every key in the bucket under `prefix`, sorted. */
async function keys(prefix: string): Promise<string[]> {
  const page = await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

async function object(key: string): Promise<Buffer> {
  const got = await bucket.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Nothing under any instance's MEDIA_STORAGE_DIR, temp files included. */
function expectNothingOnLocalDisk(): void {
  expect(filesIn(a.storageDir)).toEqual([]);
  expect(filesIn(b.storageDir)).toEqual([]);
  expect(filesIn(workerStorageDir)).toEqual([]);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** createUpload and the PUT through `via`; the upload is RECEIVED, not yet completed. */
async function receive(via: Started, bytes: Buffer, contentType: string) {
  const ticket = await createUpload(via.subgraph, {
    ownerType: 'PRODUCT',
    contentType,
    byteSize: bytes.length,
  });
  expect(ticket.uploadUrl.startsWith(`${via.origin}/uploads/`)).toBe(true);
  expect((await put(ticket, bytes)).status).toBe(200);
  return ticket;
}

async function complete(via: Started, uploadId: string): Promise<{ id: string }> {
  const data = await expectData<{ completeUpload: { id: string } }>(
    via.subgraph,
    COMPLETE_UPLOAD,
    { id: uploadId },
    STAFF,
  );
  return data.completeUpload;
}

beforeAll(async () => {
  s3 = await startS3rver();
  bucket = createS3Client(settingsOf(s3));
  // As the Kubernetes fleet runs them: API instances that work no jobs, and a worker that does.
  const fleetEnv = { ...s3.env, JOBS_MODE: 'api' };
  // One after the other: the first migrates the shared schema, the others find it migrated.
  a = await startMedia(SCHEMA, fleetEnv);
  b = await startMedia(SCHEMA, fleetEnv);
  workerStorageDir = mkdtempSync(join(tmpdir(), 'terrarium-media-worker-'));
  worker = await startMediaWorker(SCHEMA, { ...s3.env, MEDIA_STORAGE_DIR: workerStorageDir });
}, 60_000 + WORKER_START_TIMEOUT_MS);

afterAll(async () => {
  await worker?.kill();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  bucket?.destroy();
  await s3?.stop();
  if (workerStorageDir) rmSync(workerStorageDir, { recursive: true, force: true });
});

describe('media on S3-compatible storage, two instances', () => {
  it('uploads through one instance, completes and serves variants through the other, all from the bucket', async () => {
    const jpeg = await testImage(1000, 750, 'jpeg');
    const ticket = await receive(a, jpeg, 'image/jpeg');
    // A staged the checked bytes in the bucket.
    const [staged, ...more] = await keys(`uploads/${ticket.uploadId}/`);
    expect(more).toEqual([]);
    expect(staged).toMatch(new RegExp(`^uploads/${ticket.uploadId}/[0-9a-f-]{36}\\.jpg$`));
    expect((await object(staged!)).equals(jpeg)).toBe(true);

    // B completes it: it finds A's staged object in the bucket and moves it to the asset's key.
    const asset = await complete(b, ticket.uploadId);
    expect(await keys(`uploads/${ticket.uploadId}/`)).toEqual([]);
    expect(await keys(`assets/${asset.id}/`)).toEqual([`assets/${asset.id}/original.jpg`]);
    expect((await object(`assets/${asset.id}/original.jpg`)).equals(jpeg)).toBe(true);

    // B serves a variant: made from the original in the bucket, stored back in the bucket.
    const { mediaAsset } = await expectData<{ mediaAsset: Record<string, string> }>(b.subgraph, ASSET_URLS, {
      id: asset.id,
    });
    expect(mediaAsset['small']).toBe(`${b.origin}/files/${asset.id}/w400.jpg`);
    const fromB = await fetchBytes(mediaAsset['small']!);
    expect(fromB.status).toBe(200);
    expect((await sharp(fromB.bytes).metadata()).width).toBe(400);
    expect(await keys(`assets/${asset.id}/`)).toEqual([
      `assets/${asset.id}/original.jpg`,
      `assets/${asset.id}/w400.jpg`,
    ]);
    expect((await object(`assets/${asset.id}/w400.jpg`)).equals(fromB.bytes)).toBe(true);

    // A serves the same files, from the bucket: the original as uploaded, the variant B made.
    const originalFromA = await fetchBytes(`${a.origin}/files/${asset.id}/original.jpg`);
    expect(originalFromA.status).toBe(200);
    expect(originalFromA.bytes.equals(jpeg)).toBe(true);
    expect((await fetchBytes(`${a.origin}/files/${asset.id}/w400.jpg`)).bytes.equals(fromB.bytes)).toBe(true);

    // Proof that the instances read the bucket rather than rendering or keeping a copy: once the
    // stored variant is replaced by other (valid) bytes, both serve the replacement.
    const replacement = await testImage(400, 120, 'jpeg');
    await bucket.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `assets/${asset.id}/w400.jpg`,
        Body: replacement,
        ContentType: 'image/jpeg',
      }),
    );
    for (const origin of [a.origin, b.origin]) {
      const served = await fetchBytes(`${origin}/files/${asset.id}/w400.jpg`);
      expect(served.bytes.equals(replacement), `${origin} serves the bucket's bytes`).toBe(true);
    }
    expectNothingOnLocalDisk();
  });

  it('renders a variant asked for through both instances at once into one object', async () => {
    const png = await testImage(900, 600, 'png');
    const asset = await complete(a, (await receive(b, png, 'image/png')).uploadId);
    const [fromA, fromB] = await Promise.all([
      fetchBytes(`${a.origin}/files/${asset.id}/w800.png`),
      fetchBytes(`${b.origin}/files/${asset.id}/w800.png`),
    ]);
    expect([fromA.status, fromB.status]).toEqual([200, 200]);
    for (const served of [fromA, fromB]) expect((await sharp(served.bytes).metadata()).width).toBe(800);
    expect(await keys(`assets/${asset.id}/`)).toEqual([
      `assets/${asset.id}/original.png`,
      `assets/${asset.id}/w800.png`,
    ]);
    expectNothingOnLocalDisk();
  });

  it('deletes an asset made through one instance, with its variants, from the bucket through the other', async () => {
    const webp = await testImage(500, 400, 'webp');
    const asset = await complete(a, (await receive(a, webp, 'image/webp')).uploadId);
    expect((await fetchBytes(`${a.origin}/files/${asset.id}/w200.webp`)).status).toBe(200);
    expect(await keys(`assets/${asset.id}/`)).toHaveLength(2);
    await expectData(
      b.subgraph,
      'mutation ($id: ID!) { deleteMediaAsset(id: $id) }',
      { id: asset.id },
      STAFF,
    );
    expect(await keys(`assets/${asset.id}/`)).toEqual([]);
    expect((await fetchBytes(`${a.origin}/files/${asset.id}/original.webp`)).status).toBe(404);
    expectNothingOnLocalDisk();
  });

  it("the worker process sweeps an abandoned upload's staged object from the bucket", async () => {
    const png = await testImage(40, 40, 'png');
    const ticket = await receive(a, png, 'image/png');
    expect(await keys(`uploads/${ticket.uploadId}/`)).toHaveLength(1);
    const em = b.subgraph.orm.em.fork() as EntityManager;
    await em
      .getConnection()
      .execute("update upload set expires_at = now() - interval '2 days' where id = ?", [ticket.uploadId]);
    // The sweep as its hourly schedule would enqueue it; an API instance only enqueues.
    await b.subgraph.jobs.enqueue(em, sweepJob, {});
    // The sweep deletes the staged object first, then the row (a row without its file is harmless).
    const rows = async () =>
      (
        await em
          .getConnection()
          .execute<{ n: number }[]>('select count(*)::int as n from upload where id = ?', [ticket.uploadId])
      )[0]?.n;
    await waitFor('the worker to sweep', async () => (await rows()) === 0);
    expect(await keys(`uploads/${ticket.uploadId}/`)).toEqual([]);
    // Counted by the worker once the handler returned, on the port its Deployment is scraped on.
    const completed = /^jobs_completed_total\{queue="media\.sweep-uploads"[^}]*\} [1-9]/m;
    await waitFor('the worker to count the sweep', async () =>
      completed.test(await (await fetch(`http://127.0.0.1:${worker.probesPort}/metrics`)).text()),
    );
    expectNothingOnLocalDisk();
  });

  it('is refused by the store with credentials it does not know: the requests above are authenticated', async () => {
    const stranger = createS3Storage(settingsOf(s3, 'NOT-AN-ACCOUNT'));
    try {
      await expect(
        stranger.put('assets/probe/original.png', Buffer.from('x'), 'image/png'),
      ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    } finally {
      stranger.close();
    }
    expect(await keys('assets/probe/')).toEqual([]);
  });
});

describe('the media worker process (as the Kubernetes worker Deployments run it)', () => {
  it('answers /health, /ready and /metrics on METRICS_PORT, and takes no requests', async () => {
    const probes = `http://127.0.0.1:${worker.probesPort}`;
    const health = await fetch(`${probes}/health`);
    expect([health.status, await health.json()]).toEqual([
      200,
      { status: 'ok', subgraph: 'media', jobsMode: 'worker' },
    ]);
    const ready = await fetch(`${probes}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    expect(await (await fetch(`${probes}/metrics`)).text()).toMatch(/^# TYPE jobs_queued gauge$/m);
    for (const path of ['/graphql', '/uploads/x', '/files/x/original.jpg'])
      expect((await fetch(`${probes}${path}`)).status, path).toBe(404);
    expect(await refusesConnections(worker.servicePort)).toBe(true);
  });

  it('stops on SIGTERM sent to its PID and exits 0', async () => {
    expect(await worker.stop()).toBe(0);
    expect(await refusesConnections(worker.probesPort)).toBe(true);
  });
});
