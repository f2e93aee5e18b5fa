/**
 * The gateway's subscription path against in-process subgraphs it cannot tell from real ones: a
 * "ticker" that serves a subscription over graphql-ws (caller verified at connection_init, as the
 * kit does) and a "catalog" that resolves the rest of each event over HTTP. Deterministic: the
 * ticker counts its live subscriptions, so a test publishes only once the gateway is subscribed.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql/index.js';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';
import { startFixtureSubgraph, type FixtureSubgraph } from './fixtures/subgraph.js';
import { FEDERATION, TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

const CATALOG_SDL = `${FEDERATION}
  type Product @key(fields: "id") { id: ID! title: String! flaky: String }
  type Query { catalogVersion: String }
`;
const PRICE_CHANGED = 'subscription Price($id: ID!) { priceChanged(id: $id) { id price title flaky } }';

let secret: string;
let ticker: Ticker;
let catalog: FixtureSubgraph;
let issuer: TestIssuer;
let dir: string;
let supergraphPath: string;
let flakyFails = true;
let jitter = false;
const gateways: TestGateway[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  secret = process.env['INTERNAL_SECRET']!;
  ticker = await startTicker(secret);
  catalog = await startFixtureSubgraph(
    'catalog',
    CATALOG_SDL,
    {
      Product: {
        // With jitter on, each event's rest takes 0-30 ms: later events may resolve first.
        __resolveReference: async ({ id }: { id: string }) => {
          if (jitter) await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
          return { id, title: `Title ${id}` };
        },
        flaky: () => {
          if (flakyFails)
            throw new GraphQLError('The catalog refused this field.', { extensions: { code: 'FORBIDDEN' } });
          return 'fine';
        },
      },
    },
    secret,
  );
  issuer = await startTestIssuer();
  dir = mkdtempSync(join(tmpdir(), 'terrarium-subscriptions-'));
  supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    compose([
      { name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL },
      { name: 'catalog', url: catalog.url, typeDefs: CATALOG_SDL },
    ]),
  );
});
beforeEach(() => {
  flakyFails = false;
  jitter = false;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  await until(() => ticker.active() === 0, 'the gateway to release its upstream subscriptions');
});
afterAll(async () => {
  await Promise.all([ticker?.kill(), catalog?.kill(), issuer?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const started = await startGateway(supergraphPath, { JWKS_URL: issuer.jwksUrl, ...env });
  gateways.push(started);
  return started;
}

function client(gatewayUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  const created = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
  });
  clients.push(created);
  return created;
}

interface Recorded {
  results: { data?: any; errors?: any[] }[];
  error: unknown;
  completed: boolean;
  dispose(): void;
}

function record(on: Client, query: string, variables: Record<string, unknown>): Recorded {
  const recorded: Recorded = { results: [], error: null, completed: false, dispose: () => undefined };
  recorded.dispose = on.subscribe(
    { query, variables },
    {
      next: (result) => void recorded.results.push(result as Recorded['results'][number]),
      error: (err) => void (recorded.error = err),
      complete: () => void (recorded.completed = true),
    },
  );
  return recorded;
}

/** Polls `condition` every 10 ms (state lives in other sockets; there is nothing to await). */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('federated subscriptions at the gateway', () => {
  it('resolves the rest of each event in another subgraph; a failing field gives that event an error and partial data, and the subscription stays up', async () => {
    const { url } = await gateway();
    const live = record(client(url), PRICE_CHANGED, { id: 'p1' });
    await until(() => ticker.active() === 1, 'the upstream subscription');

    flakyFails = true;
    await ticker.publish('p1', 10);
    await until(() => live.results.length === 1, 'the first event');
    expect(live.results[0]).toEqual({
      data: { priceChanged: { id: 'p1', price: 10, title: 'Title p1', flaky: null } },
      errors: [
        {
          message: 'The catalog refused this field.',
          path: ['priceChanged', 'flaky'],
          extensions: { code: 'FORBIDDEN', serviceName: 'catalog' },
        },
      ],
    });

    flakyFails = false;
    await ticker.publish('p1', 11);
    await until(() => live.results.length === 2, 'the second event');
    expect(live.results[1]).toEqual({
      data: { priceChanged: { id: 'p1', price: 11, title: 'Title p1', flaky: 'fine' } },
    });
    expect(live.error).toBeNull();
    expect(live.completed).toBe(false);
  });

  it('delivers events in the order the subgraph sent them, however long each takes to resolve', async () => {
    const { url } = await gateway();
    const live = record(client(url), PRICE_CHANGED, { id: 'p11' });
    await until(() => ticker.active() === 1, 'the upstream subscription');
    jitter = true;
    for (let price = 0; price < 20; price += 1) await ticker.publish('p11', price);
    await until(() => live.results.length === 20, 'twenty events');
    expect(live.results.map((r) => r.data?.priceChanged?.price)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('shares one upstream subscription between identical subscriptions of the same caller', async () => {
    const { url } = await gateway();
    const first = record(client(url), PRICE_CHANGED, { id: 'p2' });
    const second = record(client(url), PRICE_CHANGED, { id: 'p2' });
    const other = record(client(url), PRICE_CHANGED, { id: 'p3' });
    await until(() => ticker.active() === 2, 'two upstream subscriptions (p2 shared, p3)');
    const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^gateway_subscriptions_active\{[^}]*transport="ws"[^}]*\} 3$/m);
    expect(metrics).toMatch(/^gateway_subscription_upstreams_active\{[^}]*\} 2$/m);
    await ticker.publish('p2', 20);
    await until(() => first.results.length === 1 && second.results.length === 1, 'both p2 subscribers');
    expect(second.results[0]).toEqual(first.results[0]);
    expect(other.results).toEqual([]);
    first.dispose();
    await ticker.publish('p2', 21);
    await until(() => second.results.length === 2, 'the remaining subscriber');
    second.dispose();
    other.dispose();
    await until(() => ticker.active() === 0, 'the last subscriber to release the upstream');
  });

  it('ends a subscription with UNAUTHENTICATED when the token expires, and releases the upstream', async () => {
    const { url } = await gateway();
    const token = await issuer.sign(
      { sub: '0b6d6f7e-0000-4000-8000-000000000001', roles: ['KEEPER'] },
      { expiresIn: Math.floor(Date.now() / 1000) + 2 },
    );
    const live = record(client(url, { authorization: `Bearer ${token}` }), PRICE_CHANGED, { id: 'p4' });
    await until(() => ticker.active() === 1, 'the upstream subscription');
    await ticker.publish('p4', 40);
    await until(() => live.results.length === 1, 'an event before expiry');
    await until(() => live.error !== null, 'the expiry', 5_000);
    expect(live.error).toEqual([
      expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', reason: 'token_expired' } }),
    ]);
    await until(() => ticker.active() === 0, 'the upstream to be released');
  });

  it('closes a connection that sends no connection_init in time (4408) and refuses a bad token (4403)', async () => {
    const { url } = await gateway({ SUBSCRIPTION_INIT_WAIT_MS: '200' });
    const silent = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) =>
      silent.once('close', (closeCode) => resolve(closeCode)),
    );
    expect(code).toBe(4408);

    const refused = record(client(url, { authorization: 'Bearer not.a.jwt' }), PRICE_CHANGED, { id: 'p5' });
    await until(() => refused.error !== null, 'the refusal');
    expect(refused.error).toMatchObject({ code: 4403 });
  });

  it('limits subscriptions per connection', async () => {
    const { url } = await gateway({ SUBSCRIPTIONS_PER_CONNECTION: '2' });
    const shared = client(url);
    const kept = [record(shared, PRICE_CHANGED, { id: 'p6' }), record(shared, PRICE_CHANGED, { id: 'p7' })];
    const third = record(shared, PRICE_CHANGED, { id: 'p8' });
    await until(() => third.error !== null, 'the third subscription to be refused');
    expect(third.error).toEqual([
      expect.objectContaining({
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED', reason: 'subscriptionsPerConnection', limit: 2 },
      }),
    ]);
    await until(() => ticker.active() === 2, 'the first two upstream');
    expect(kept.every((r) => r.error === null)).toBe(true);
  });

  it('ends subscriptions with SUBGRAPH_UNAVAILABLE when the subgraph goes away and retries are off', async () => {
    const { url } = await gateway({ SUBSCRIPTION_UPSTREAM_RETRIES: '0' });
    const live = record(client(url), PRICE_CHANGED, { id: 'p9' });
    await until(() => ticker.active() === 1, 'the upstream subscription');
    const port = ticker.port;
    await ticker.kill();
    try {
      await until(() => live.error !== null, 'the subscription to end');
      expect(live.error).toEqual([
        expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ticker' } }),
      ]);
    } finally {
      ticker = await startTicker(secret, port);
    }
  });

  it('follows supergraph updates: a live subscription whose upstream is unchanged goes on, one whose upstream moved ends with a retriable error', async () => {
    const ownPath = join(dir, 'supergraph-reloaded.graphql');
    const supergraph = (catalogSdl: string, tickerUrl = ticker.url) =>
      compose([
        { name: 'ticker', url: tickerUrl, typeDefs: TICKER_SDL },
        { name: 'catalog', url: catalog.url, typeDefs: catalogSdl },
      ]);
    writeFileSync(ownPath, supergraph(CATALOG_SDL));
    const reloading = await startGateway(ownPath, { JWKS_URL: issuer.jwksUrl });
    gateways.push(reloading);
    const swap = async (sdl: string) => {
      const updated = once(reloading.server.events, 'supergraph-updated');
      writeFileSync(ownPath, sdl);
      await updated;
    };

    const live = record(client(reloading.url), PRICE_CHANGED, { id: 'p12' });
    await until(() => ticker.active() === 1, 'the upstream subscription');
    await swap(
      supergraph(
        CATALOG_SDL.replace('catalogVersion: String', 'catalogVersion: String catalogNotes: String'),
      ),
    );
    await ticker.publish('p12', 120);
    await until(() => live.results.length === 1, 'an event after an unrelated update');
    expect(live.results[0]!.data).toEqual({
      priceChanged: { id: 'p12', price: 120, title: 'Title p12', flaky: 'fine' },
    });

    // The ticker's URL changes (a redeploy elsewhere): the old upstream is not the planned one any more.
    await swap(supergraph(CATALOG_SDL, ticker.url.replace('/graphql', '/graphql/v2')));
    await until(() => live.error !== null, 'the subscription to end');
    expect(live.error).toEqual([
      expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'supergraph_updated' } }),
    ]);
    await until(() => ticker.active() === 0, 'the old upstream to be released');
  });

  it('re-subscribes upstream when the subgraph comes back, and the client never notices', async () => {
    const started = await gateway();
    const live = record(client(started.url), PRICE_CHANGED, { id: 'p10' });
    await until(() => ticker.active() === 1, 'the upstream subscription');
    const port = ticker.port;
    await ticker.kill();
    ticker = await startTicker(secret, port);
    await until(() => ticker.active() === 1, 'the re-subscription', 10_000);
    await ticker.publish('p10', 100);
    await until(() => live.results.length === 1, 'an event after the comeback');
    expect(live.results[0]!.data).toEqual({
      priceChanged: { id: 'p10', price: 100, title: 'Title p10', flaky: 'fine' },
    });
    expect(live.error).toBeNull();
    const metrics = await (await fetch(started.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(
      /gateway_subscription_upstream_reconnects_total\{[^}]*subgraph="ticker"[^}]*\} 1/,
    );
  });
});
