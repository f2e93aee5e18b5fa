/**
 * Subscriptions shared across callers: clients of a public selection (the subscription field
 * declared `@cacheControl(scope: PUBLIC)`, nothing PRIVATE or under @access) share one upstream
 * subscription, opened as nobody in particular, and one resolution per event, whoever they are;
 * any other selection keeps a stream per caller, so nobody reads another caller's data. Real
 * subgraphs: "board" owns the subscriptions over graphql-ws, "ledger" resolves the rest over HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BOARD_SDL, startBoard, type Board } from './fixtures/board.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { ACCESS_HEADER, compose } from './fixtures/graph.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';
import { startFixtureSubgraph, type FixtureSubgraph } from './fixtures/subgraph.js';

const LEDGER_SDL = `${ACCESS_HEADER}
  type Score @key(fields: "id") { id: ID! title: String! }
  type Query { ledgerVersion: String }
`;
const PUBLIC_SCORE = 'subscription Score($id: ID!) { scoreChanged(id: $id) { id points title } }';
const PRIVATE_SCORE = 'subscription Mine($id: ID!) { scoreChanged(id: $id) { id points reader } }';
const AUDITED_SCORE = 'subscription Audit($id: ID!) { scoreChanged(id: $id) { id points audit } }';
const WATCHED_SCORE = 'subscription Watch($id: ID!) { scoreWatched(id: $id) { id points title } }';

let board: Board;
let ledger: FixtureSubgraph;
let issuer: TestIssuer;
let dir: string;
let supergraphPath: string;
const gateways: TestGateway[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  const secret = process.env['INTERNAL_SECRET']!;
  board = await startBoard(secret);
  ledger = await startFixtureSubgraph(
    'ledger',
    LEDGER_SDL,
    { Score: { __resolveReference: ({ id }: { id: string }) => ({ id, title: `Score ${id}` }) } },
    secret,
  );
  issuer = await startTestIssuer();
  dir = mkdtempSync(join(tmpdir(), 'terrarium-subscriptions-sharing-'));
  supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    compose([
      { name: 'board', url: board.url, typeDefs: BOARD_SDL },
      { name: 'ledger', url: ledger.url, typeDefs: LEDGER_SDL },
    ]),
  );
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  await until(
    async () => board.subscribedAs().length === 0,
    'the gateway to release its upstream subscriptions',
  );
});
afterAll(async () => {
  await Promise.all([board?.close(), ledger?.kill(), issuer?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const started = await startGateway(supergraphPath, { JWKS_URL: issuer.jwksUrl, ...env });
  gateways.push(started);
  return started;
}

interface Recorded {
  results: { data?: any; errors?: any[] }[];
  error: unknown;
}

/** One client (its own WebSocket) subscribing as `token`'s user, or anonymously without one. */
function subscribe(url: string, token: string | null, query: string, id: string): Recorded {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  const recorded: Recorded = { results: [], error: null };
  client.subscribe(
    { query, variables: { id } },
    {
      next: (result) => void recorded.results.push(result as Recorded['results'][number]),
      error: (err) => void (recorded.error = err),
      complete: () => undefined,
    },
  );
  return recorded;
}

const user = (n: number, roles = ['KEEPER']) =>
  issuer.sign({ sub: `0b6d6f7e-0000-4000-8000-00000000000${n}`, roles });
const userId = (n: number) => `0b6d6f7e-0000-4000-8000-00000000000${n}`;

/** A sample of the gateway's /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Polls `condition` every 10 ms (state lives in other processes' sockets; there is nothing to await). */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every subscription accepted by the gateway, and the board holding `upstreams` for them. */
async function subscribed(url: string, subscribers: number, upstreams: number): Promise<void> {
  await until(
    async () =>
      (await metric(url, 'gateway_subscriptions_active')) === subscribers &&
      board.subscribedAs().length === upstreams,
    `${subscribers} subscriptions on ${upstreams} upstream`,
  );
}

describe('subscriptions shared across callers', () => {
  it('gives distinct callers of a public selection one upstream subscription, opened anonymously, and one resolution per event', async () => {
    const { url } = await gateway();
    const tokens = [null, await user(1), await user(2), await user(3, ['STAFF']), null];
    const subscribers = tokens.map((token) => subscribe(url, token, PUBLIC_SCORE, 's1'));
    await subscribed(url, tokens.length, 1);
    expect(board.subscribedAs()).toEqual([null]);
    expect(await metric(url, 'gateway_subscription_upstreams_active')).toBe(1);

    const ledgerRequests = ledger.count();
    await board.publish('s1', 7);
    await until(
      async () => subscribers.every((s) => s.results.length === 1),
      'the event at every subscriber',
    );
    for (const subscriber of subscribers) {
      expect(subscriber.error).toBeNull();
      expect(subscriber.results).toEqual([
        { data: { scoreChanged: { id: 's1', points: 7, title: 'Score s1' } } },
      ]);
    }
    // The rest of the selection was fetched once for the five of them.
    expect(ledger.count() - ledgerRequests).toBe(1);
    expect(board.subscribedAs()).toEqual([null]);
  });

  it('keeps a selection with a PRIVATE field per caller: each caller reads only its own', async () => {
    const { url } = await gateway();
    const alice = subscribe(url, await user(1), PRIVATE_SCORE, 's2');
    const bob = subscribe(url, await user(2), PRIVATE_SCORE, 's2');
    const anonymous = subscribe(url, null, PRIVATE_SCORE, 's2');
    await subscribed(url, 3, 3);
    expect(board.subscribedAs().sort()).toEqual([null, userId(1), userId(2)].sort());

    await board.publish('s2', 3);
    await until(
      async () => [alice, bob, anonymous].every((s) => s.results.length === 1),
      'the event at every subscriber',
    );
    expect(alice.results).toEqual([{ data: { scoreChanged: { id: 's2', points: 3, reader: userId(1) } } }]);
    expect(bob.results).toEqual([{ data: { scoreChanged: { id: 's2', points: 3, reader: userId(2) } } }]);
    expect(anonymous.results).toEqual([
      { data: { scoreChanged: { id: 's2', points: 3, reader: 'anonymous' } } },
    ]);
  });

  it('keeps per caller a selection under @access, and a subscription field its subgraph has not declared public', async () => {
    const { url } = await gateway();
    const staff = [await user(4, ['STAFF']), await user(5, ['STAFF'])];
    const audited = staff.map((token) => subscribe(url, token, AUDITED_SCORE, 's3'));
    // scoreWatched selects only public fields, but the board authorizes it per caller.
    const watchers = [await user(1), await user(2)].map((token) =>
      subscribe(url, token, WATCHED_SCORE, 's3'),
    );
    await subscribed(url, 4, 4);
    expect(board.subscribedAs().sort()).toEqual([userId(1), userId(2), userId(4), userId(5)].sort());
    // Subscribed as nobody, the board would have refused scoreWatched; as the caller, an
    // anonymous client is refused by the board itself.
    const anonymous = subscribe(url, null, WATCHED_SCORE, 's3');
    await until(async () => anonymous.results.length === 1 || anonymous.error !== null, 'the refusal');
    expect(JSON.stringify(anonymous)).toContain('Sign in to watch scores.');

    await board.publish('s3', 9);
    await until(async () => [...audited, ...watchers].every((s) => s.results.length === 1), 'every event');
    for (const s of audited)
      expect(s.results).toEqual([{ data: { scoreChanged: { id: 's3', points: 9, audit: 'audit of s3' } } }]);
    for (const s of watchers)
      expect(s.results).toEqual([{ data: { scoreWatched: { id: 's3', points: 9, title: 'Score s3' } } }]);
  });

  it('with SUBSCRIPTION_DEDUPLICATION=false, shares nothing: one upstream subscription per client, as its caller', async () => {
    const { url } = await gateway({ SUBSCRIPTION_DEDUPLICATION: 'false' });
    const subscribers = [await user(1), await user(2), null].map((token) =>
      subscribe(url, token, PUBLIC_SCORE, 's4'),
    );
    await subscribed(url, 3, 3);
    expect(board.subscribedAs().sort()).toEqual([null, userId(1), userId(2)].sort());
    await board.publish('s4', 1);
    await until(
      async () => subscribers.every((s) => s.results.length === 1),
      'the event at every subscriber',
    );
  });

  it('ends only the expired subscriber of a shared stream; the others keep receiving', async () => {
    const { url } = await gateway();
    const shortLived = await issuer.sign(
      { sub: userId(6), roles: ['KEEPER'] },
      { expiresIn: Math.floor(Date.now() / 1000) + 2 },
    );
    const expiring = subscribe(url, shortLived, PUBLIC_SCORE, 's5');
    const staying = subscribe(url, await user(1), PUBLIC_SCORE, 's5');
    await subscribed(url, 2, 1);
    await until(async () => expiring.error !== null, 'the expiry', 5_000);
    expect(JSON.stringify(expiring.error)).toContain('token_expired');

    await board.publish('s5', 2);
    await until(async () => staying.results.length === 1, 'the event');
    expect(staying.results).toEqual([{ data: { scoreChanged: { id: 's5', points: 2, title: 'Score s5' } } }]);
    expect(expiring.results).toEqual([]);
    expect(board.subscribedAs()).toEqual([null]);
  });
});
