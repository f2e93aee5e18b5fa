/**
 * @terrarium/client against a running platform: its Apollo Client sends ProductPage by persisted
 * id alone (no query text on the wire) and gets the page; a StockLive subscription over
 * graphql-ws receives the event of a stock change. Also: each client module is the client
 * preset's output (its graphql() gives the typed document of every operation) and its persisted
 * ids are the gateway's manifest ids; the codegen check covers the subgraphs' resolver types as
 * well as the client files, and all of them are fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTerrariumClient, persistedOperationIds, type TerrariumClient } from '@terrarium/client';
import * as admin from '@terrarium/client/admin';
import { AdjustStockDocument } from '@terrarium/client/admin';
import * as breeder from '@terrarium/client/breeder';
import * as partnerEmbed from '@terrarium/client/partner-embed';
import * as storefront from '@terrarium/client/storefront';
import { ProductPageDocument, StockLiveDocument, PersistedOperationIds } from '@terrarium/client/storefront';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
// @ts-expect-error plain JS script (CI runs it)
import { generateFiles } from '../schema/codegen/check-fresh.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';
import { logIn, startPlatform, type Platform } from './support/platform.js';
// @ts-expect-error plain JS helper
import { ROOT } from '../scripts/lib/processes.js';

const productId = seedId('product:TR-HEAT-100');
const productSlug = 'ceramic-heat-emitter-100w';

describe('@terrarium/client', () => {
  let platform: Platform;
  let anonymous: TerrariumClient;
  let staff: TerrariumClient;
  const sentBodies: Record<string, unknown>[] = [];

  beforeAll(async () => {
    platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'media', 'community'] });
    const recordingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') sentBodies.push(JSON.parse(init.body) as Record<string, unknown>);
      return fetch(input, init);
    };
    anonymous = createTerrariumClient({
      url: platform.gatewayUrl,
      webSocketImpl: WebSocket,
      fetch: recordingFetch,
    });
    const token = await logIn(platform.gatewayUrl, 'admin@terrarium.test');
    staff = createTerrariumClient({ url: platform.gatewayUrl, webSocketImpl: WebSocket, token: () => token });
  }, 300_000);

  afterAll(async () => {
    await anonymous?.dispose();
    await staff?.dispose();
    await platform?.stop();
  });

  it('exports the persisted ids of every contract operation', () => {
    expect(persistedOperationIds['ProductPage']).toBe(PersistedOperationIds.ProductPage);
    expect(Object.values(persistedOperationIds).every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(Object.keys(persistedOperationIds)).toEqual(
      expect.arrayContaining(['ProductPage', 'StockLive', 'AdjustStock', 'AnimalCard']),
    );
  });

  it('queries ProductPage by its persisted id alone', async () => {
    const { data, error } = await anonymous.client.query({
      query: ProductPageDocument,
      variables: { slug: productSlug },
      fetchPolicy: 'network-only',
    });
    expect(error).toBeUndefined();
    expect(data?.product?.slug).toBe(productSlug);
    expect(data?.product?.name).toBe('Ceramic Heat Emitter 100W');
    expect(typeof data?.product?.stock?.available).toBe('number');
    const sent = sentBodies.filter((body) => body['operationName'] === 'ProductPage');
    expect(sent).toHaveLength(1);
    expect(sent[0]!['query']).toBeUndefined();
    expect(sent[0]!['extensions']).toMatchObject({
      persistedQuery: { version: 1, sha256Hash: PersistedOperationIds.ProductPage },
    });
  });

  it('receives a StockLive event over graphql-ws after a stock change', async () => {
    const events: number[] = [];
    const subscription = anonymous.client
      .subscribe({ query: StockLiveDocument, variables: { productId } })
      .subscribe({
        next: (result) => {
          const available = result.data?.stockChanged?.stock?.available;
          if (typeof available === 'number') events.push(available);
        },
      });
    try {
      // The subscription is registered once the gateway has subscribed upstream; until then a
      // change could be missed, so adjust again until an event arrives.
      let adjusted: number | undefined;
      await expect
        .poll(
          async () => {
            if (events.length > 0) return true;
            const result = await staff.client.mutate({
              mutation: AdjustStockDocument,
              variables: { productId, delta: 1, reason: 'client package test' },
            });
            adjusted = result.data?.adjustStock?.stock?.available;
            return events.length > 0;
          },
          { timeout: 15_000, interval: 1_000 },
        )
        .toBe(true);
      expect(events).toContain(adjusted);
    } finally {
      subscription.unsubscribe();
    }
  });
});

const clientModules = {
  storefront,
  breeder,
  admin,
  'partner-embed': partnerEmbed,
} as const;

describe('@terrarium/client/<client> modules', () => {
  const operationsOf = (client: string) =>
    parse(readFileSync(join(ROOT, `schema/operations/${client}.graphql`), 'utf8')).definitions.filter(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    );

  it.each(Object.keys(clientModules))(
    "%s is the client preset's output: its graphql() gives each operation's typed document",
    (client) => {
      const exported = clientModules[client as keyof typeof clientModules] as unknown as Record<
        string,
        unknown
      > & {
        graphql: (source: string) => unknown;
      };
      const operations = operationsOf(client);
      expect(operations.length).toBeGreaterThan(0);
      for (const operation of operations) {
        const name = operation.name!.value;
        const document = exported[`${name}Document`];
        expect(document, `${client}: ${name}Document`).toMatchObject({ kind: Kind.DOCUMENT });
        // The same object: gql.ts's map points at graphql.ts's documents.
        expect(exported.graphql(print(operation)), `${client}: graphql() of ${name}`).toBe(document);
      }
    },
  );

  it.each(Object.keys(clientModules))(
    "%s's persisted ids are the ids of the gateway's manifest (schema/manifests)",
    (client) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, `schema/manifests/${client}.json`), 'utf8')) as {
        operations: { id: string; name: string }[];
      };
      const manifestIds = Object.fromEntries(manifest.operations.map(({ name, id }) => [name, id]));
      const { PersistedOperationIds: ids } = clientModules[client as keyof typeof clientModules];
      expect(ids).toEqual(manifestIds);
      expect(Object.keys(ids).sort()).toEqual(
        operationsOf(client)
          .map((op) => op.name!.value)
          .sort(),
      );
      for (const [name, id] of Object.entries(ids)) expect(persistedOperationIds[name]).toBe(id);
    },
  );
});

describe('codegen freshness (schema/codegen/check-fresh.mjs)', () => {
  it("covers the subgraphs' resolver types and the client files, all equal to what is committed", async () => {
    const files: Map<string, string> = await generateFiles();
    const paths = [...files.keys()];
    for (const name of ['ops', 'products', 'inventory', 'commerce', 'media', 'community'])
      expect(paths).toContain(`subgraphs/${name}/src/generated/resolvers.ts`);
    for (const client of ['storefront', 'breeder', 'admin', 'partner-embed']) {
      for (const file of ['graphql.ts', 'gql.ts', 'persisted-ids.ts', 'index.ts'])
        expect(paths).toContain(`packages/client/src/generated/${client}/${file}`);
      expect(paths).toContain(`schema/manifests/${client}.json`);
    }
    for (const [path, content] of files)
      expect(
        readFileSync(join(ROOT, path), 'utf8'),
        `${path} is stale: node schema/codegen/check-fresh.mjs --write`,
      ).toBe(content);
  }, 60_000);
});
