/**
 * A staff removal of an asset that only the staff role allows (a product's, or another's upload)
 * is audited in ops through media's job queue (the real ops subgraph over HTTP). A removal the
 * caller may make without the role (an organization's member, the uploader) owes no entry.
 */
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { expectData } from '@terrarium/subgraph-kit/testing';
import type { Caller } from '@terrarium/platform/caller';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSibling, type RunningSibling } from './siblings.js';
import {
  BREEDER,
  COMPLETE_UPLOAD,
  STAFF,
  createUpload,
  put,
  startMedia,
  testImage,
  type Started,
} from './support.js';

interface Row {
  action: string;
  actor_id: string | null;
  subject: string;
  source: string;
  diff: Record<string, unknown>;
}

const DELETE = 'mutation ($id: ID!) { deleteMediaAsset(id: $id) }';
const SUNSET = seedId('org:sunset-reptiles');

let ops: RunningSibling;
let media: Started;
beforeAll(async () => {
  ops = await startSibling('ops', 'media_audit_test_ops');
  media = await startMedia('media_audit_test', { OPS_URL: ops.url });
});
afterAll(async () => {
  await media?.stop();
  await ops?.subgraph.stop();
});

/** A PNG uploaded and completed by `caller` for the owner. */
async function uploaded(caller: Caller, owner: { ownerType: string; ownerId?: string }) {
  const png = await testImage(40, 30, 'png');
  const ticket = await createUpload(
    media.subgraph,
    { ...owner, contentType: 'image/png', byteSize: png.length },
    caller,
  );
  expect((await put(ticket, png)).status).toBe(200);
  const data = await expectData<{ completeUpload: { id: string; ownerId: string; byteSize: number } }>(
    media.subgraph,
    COMPLETE_UPLOAD,
    { id: ticket.uploadId },
    caller,
  );
  return data.completeUpload;
}

const auditRows = (subjects: string[]) =>
  ops.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<Row[]>(
      `select action, actor_id, subject, source, diff from audit_log where action = 'deleteMediaAsset' and subject in (?)`,
      [subjects],
    );

const auditJobs = (subjects: string[]) =>
  media.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<{ subject: string }[]>(
      `select data->>'subject' as subject from "${media.subgraph.jobs.schema}".job where name = 'audit.record' and data->>'subject' in (?)
        union all
       select data->>'subject' from "${media.subgraph.jobs.schema}".archive where name = 'audit.record' and data->>'subject' in (?)`,
      [subjects, subjects],
    );

async function untilAudited(subjects: string[]): Promise<Row[]> {
  const until = Date.now() + 15_000;
  let rows: Row[];
  while ((rows = await auditRows(subjects)).length < subjects.length && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return rows;
}

describe('media: audit of privileged asset removals in ops', () => {
  it("records staff removing a product's asset and a breeder's upload, once each, with what was removed", async () => {
    const product = await uploaded(STAFF, { ownerType: 'PRODUCT' });
    const breeders = await uploaded(BREEDER, { ownerType: 'ORGANIZATION', ownerId: SUNSET });
    for (const asset of [product, breeders])
      await expectData(media.subgraph, DELETE, { id: asset.id }, STAFF);

    const subjects = [`MediaAsset:${product.id}`, `MediaAsset:${breeders.id}`];
    expect(await auditJobs(subjects)).toHaveLength(2);
    const rows = await untilAudited(subjects);
    const common = { action: 'deleteMediaAsset', actor_id: STAFF.userId, source: 'media' };
    const diff = { kind: 'IMAGE', contentType: 'image/png' };
    expect(rows.sort((a, b) => subjects.indexOf(a.subject) - subjects.indexOf(b.subject))).toEqual([
      {
        ...common,
        subject: subjects[0],
        diff: {
          ...diff,
          owner: `Product:${product.ownerId}`,
          byteSize: product.byteSize,
          createdBy: STAFF.userId,
        },
      },
      {
        ...common,
        subject: subjects[1],
        diff: {
          ...diff,
          owner: `Organization:${SUNSET}`,
          byteSize: breeders.byteSize,
          createdBy: BREEDER.userId,
        },
      },
    ]);
  }, 30_000);

  it('owes no entry for a removal the caller may make without the staff role', async () => {
    const asset = await uploaded(BREEDER, { ownerType: 'ORGANIZATION', ownerId: SUNSET });
    await expectData(media.subgraph, DELETE, { id: asset.id }, BREEDER);
    // The entry would be enqueued in the removal's transaction, so its absence is final.
    expect(await auditJobs([`MediaAsset:${asset.id}`])).toEqual([]);
  });
});
