import { randomUUID } from 'node:crypto';
import { demoCallers, expectData } from '@terrarium/subgraph-kit/testing';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import sharp from 'sharp';
import { createMediaSubgraph, type MediaSubgraph } from '../src/subgraph.js';

export interface Started {
  subgraph: MediaSubgraph;
  /** http://127.0.0.1:<port> */
  origin: string;
  storageDir: string;
  stop(): Promise<void>;
}

/** A media subgraph on a port of its own, in its own Postgres schema, storing files in a temp dir. */
export async function startMedia(schema: string, env: Record<string, string> = {}): Promise<Started> {
  const storageDir = mkdtempSync(join(tmpdir(), 'terrarium-media-'));
  const all = {
    ...process.env,
    MEDIA_DATABASE_SCHEMA: schema,
    MEDIA_PORT: '0',
    SEED_DEMO: 'false',
    MEDIA_STORAGE_DIR: storageDir,
    ...env,
  };
  const subgraph = await createMediaSubgraph(loadSubgraphConfig('media', all), all);
  const url = await subgraph.listen(0);
  return {
    subgraph,
    origin: new URL(url).origin,
    storageDir,
    async stop() {
      await subgraph.stop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** Every file under the storage root, temp files included, as `/`-separated paths. */
export function filesIn(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((entry) => statSync(join(root, entry)).isFile())
    .map((entry) => relative(root, join(root, entry)).split(sep).join('/'))
    .sort();
}

export const { staff: STAFF, keeper: KEEPER, breeder: BREEDER } = demoCallers;

export const CREATE_UPLOAD = /* GraphQL */ `
  mutation ($input: CreateUploadInput!) {
    createUpload(input: $input) {
      uploadId
      uploadUrl
      expiresAt
      maxBytes
      headers {
        name
        value
      }
    }
  }
`;
export const COMPLETE_UPLOAD = /* GraphQL */ `
  mutation ($id: ID!) {
    completeUpload(uploadId: $id) {
      id
      kind
      contentType
      byteSize
      width
      height
      alt
      checksum
      ownerType
      ownerId
      position
      createdAt
    }
  }
`;

export interface Ticket {
  uploadId: string;
  uploadUrl: string;
  expiresAt: string;
  maxBytes: number;
  headers: { name: string; value: string }[];
}

export async function createUpload(
  subgraph: MediaSubgraph,
  input: { ownerType: string; ownerId?: string; contentType: string; byteSize: number; alt?: string },
  caller: Caller = STAFF,
): Promise<Ticket> {
  const data = await expectData<{ createUpload: Ticket }>(
    subgraph,
    CREATE_UPLOAD,
    { input: { ownerId: randomUUID(), ...input } },
    caller,
  );
  return data.createUpload;
}

/** PUTs the bytes as a browser would: the ticket's headers, the raw file as the body. */
export async function put(
  ticket: Pick<Ticket, 'uploadUrl' | 'headers'>,
  body: Buffer,
  url = ticket.uploadUrl,
) {
  const headers = Object.fromEntries(ticket.headers.map((h) => [h.name, h.value]));
  const response = await fetch(url, { method: 'PUT', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A real photo-like image: a gradient with noise, so that it compresses like a photo. */
export function testImage(
  width: number,
  height: number,
  format: 'jpeg' | 'png' | 'webp' = 'jpeg',
): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#2a7"/><stop offset="1" stop-color="#a52"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="50%" cy="50%" r="30%" fill="#fff8"/></svg>`;
  return sharp(Buffer.from(svg)).toFormat(format).toBuffer();
}

/** A minimal, valid one-page PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
