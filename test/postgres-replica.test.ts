/**
 * Postgres read replicas on a real streaming replica (test/support/postgres-replica.ts: a primary
 * made by initdb and a replica made by pg_basebackup -R, on free ports, stopped at the end).
 *
 * Two products instances (a writer and a reader, sharing REDIS_URL when set, as a fleet does) run
 * with PRODUCTS_DATABASE_REPLICA_URLS. Where a statement ran is read from each server's
 * pg_stat_statements; what a read returned while the replica's replay is paused tells a replica's
 * answer (the old row) from the primary's (the new one).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductsSubgraph } from '@terrarium/products';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import { replicaStates } from '@terrarium/subgraph-kit/orm';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { expectData } from '@terrarium/subgraph-kit/testing';
import { startPostgresPair, type PostgresPair } from './support/postgres-replica.js';

/** The lag budget under test (DATABASE_REPLICA_MAX_LAG_MS): short, so the test need not wait long. */
const MAX_LAG_MS = 2_000;
const SLUG = 'ceramic-heat-emitter-100w';
const PRODUCT = 'query ($slug: String!) { product(slug: $slug) { id name } }';
/** The product loader's statement (products' src/loaders/product.loader.ts), as pg_stat_statements normalises it. */
const LOADER_STATEMENT = '%from product p%where p.slug = any(select jsonb_array_elements_text%';

// Callers of this run only, so that no read-your-writes marker of another run is in the way.
const staff: Caller = { ...ANONYMOUS, userId: randomUUID(), roles: ['STAFF'] };
const keeper: Caller = { ...ANONYMOUS, userId: randomUUID(), roles: ['KEEPER'] };

let pair: PostgresPair;
let writer: Subgraph<unknown>;
let reader: Subgraph<unknown>;

async function start(): Promise<Subgraph<unknown>> {
  const config = loadSubgraphConfig('products', {
    ...process.env,
    DATABASE_URL: pair.primaryUrl,
    PRODUCTS_DATABASE_URL: '',
    PRODUCTS_DATABASE_REPLICA_URLS: pair.replicaUrl,
    DATABASE_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
    PRODUCTS_DATABASE_SCHEMA: 'products',
    PRODUCTS_PORT: '0',
    SEED_DEMO: 'true',
  });
  return (await createProductsSubgraph(config)) as Subgraph<unknown>;
}

/** Calls of the product loader's statement on one server so far. */
async function loaderCalls(on: 'primary' | 'replica'): Promise<number> {
  const [row] = await pair.sql<{ calls: string }>(
    on,
    `select coalesce(sum(calls), 0) as calls from pg_stat_statements where query like $1`,
    [LOADER_STATEMENT],
  );
  return Number(row?.calls ?? 0);
}

async function nameSeenBy(subgraph: Subgraph<unknown>, caller: Caller): Promise<string> {
  const data = await expectData<{ product: { name: string } }>(subgraph, PRODUCT, { slug: SLUG }, caller);
  return data.product.name;
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
}

const replicaUsable = (subgraph: Subgraph<unknown>) => replicaStates(subgraph.orm).every((r) => r.usable);

beforeAll(async () => {
  pair = await startPostgresPair();
  await pair.sql('primary', 'create extension pg_stat_statements');
  writer = await start();
  // Without Redis the read-your-writes marker lives in one process: read through the writer then.
  reader = process.env['REDIS_URL'] ? await start() : writer;
  await waitUntil('both instances use the replica', () => replicaUsable(writer) && replicaUsable(reader));
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
  await pair?.stop();
});

describe('Postgres read replicas', () => {
  it('serves lag-tolerant reads from the replica, not the primary', async () => {
    const [replicaBefore, primaryBefore] = [await loaderCalls('replica'), await loaderCalls('primary')];
    for (let i = 0; i < 20; i += 1) {
      expect(await nameSeenBy(reader, i % 2 === 0 ? ANONYMOUS : keeper)).toBe('Ceramic Heat Emitter 100W');
    }
    expect((await loaderCalls('replica')) - replicaBefore).toBeGreaterThanOrEqual(20);
    expect((await loaderCalls('primary')) - primaryBefore).toBe(0);
  });

  it('gives a caller its own write from the primary while the replica lags; others read the replica', async () => {
    const before = await nameSeenBy(reader, ANONYMOUS);
    const renamed = `Renamed ${randomUUID().slice(0, 8)}`;
    // The replica stops replaying WAL: from now on it answers with the data it had.
    await pair.sql('replica', 'select pg_wal_replay_pause()');
    try {
      const { product } = await expectData<{ product: { id: string } }>(writer, PRODUCT, { slug: SLUG });
      const written = await expectData<{ updateProduct: { name: string } }>(
        writer,
        'mutation ($id: ID!, $name: String!) { updateProduct(id: $id, input: { name: $name }) { name } }',
        { id: product.id, name: renamed },
        staff,
      );
      expect(written.updateProduct.name).toBe(renamed);

      // Through the other instance, at once: the writer sees its write, from the primary...
      const primaryBefore = await loaderCalls('primary');
      expect(await nameSeenBy(reader, staff)).toBe(renamed);
      expect(await loaderCalls('primary')).toBe(primaryBefore + 1);
      // ...everyone else is served by the (paused, so stale) replica: proof of where they read.
      expect(await nameSeenBy(reader, ANONYMOUS)).toBe(before);
      expect(await nameSeenBy(reader, keeper)).toBe(before);

      // A replica further behind than the lag budget is no longer read: everyone gets the primary.
      await waitUntil('the paused replica is dropped', () => !replicaUsable(reader), MAX_LAG_MS + 3_000);
      expect(await nameSeenBy(reader, ANONYMOUS)).toBe(renamed);
    } finally {
      await pair.sql('replica', 'select pg_wal_replay_resume()');
    }

    // Caught up again, it serves reads again, now with the write.
    await waitUntil('the replica is used again', () => replicaUsable(reader));
    const replicaBefore = await loaderCalls('replica');
    expect(await nameSeenBy(reader, ANONYMOUS)).toBe(renamed);
    expect(await loaderCalls('replica')).toBe(replicaBefore + 1);
  });

  it('keeps a writer on the primary for the window only, then reads the replica, which has the write', async () => {
    const renamed = `Renamed ${randomUUID().slice(0, 8)}`;
    const { product } = await expectData<{ product: { id: string } }>(writer, PRODUCT, { slug: SLUG });
    await expectData(
      writer,
      'mutation ($id: ID!, $name: String!) { updateProduct(id: $id, input: { name: $name }) { name } }',
      { id: product.id, name: renamed },
      staff,
    );
    const primaryBefore = await loaderCalls('primary');
    expect(await nameSeenBy(reader, staff)).toBe(renamed);
    expect(await loaderCalls('primary')).toBe(primaryBefore + 1);

    await sleep(MAX_LAG_MS + 250);
    expect(replicaUsable(reader)).toBe(true);
    const replicaBefore = await loaderCalls('replica');
    expect(await nameSeenBy(reader, staff)).toBe(renamed);
    expect(await loaderCalls('replica')).toBe(replicaBefore + 1);
  });
});
