/**
 * The request guards on the subscription transports: a blocklisted IP or user agent gets no
 * WebSocket (the upgrade is answered 403) and no SSE or multipart stream (403); past the rate
 * limit a new subscription is refused (graphql-ws: close 4429; SSE and multipart: 429 with
 * Retry-After), and the budget is the one POST /graphql spends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, uniquePrefix, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const BLOCKED_IP = '198.51.100.23';
const subscription = (id: string) => `subscription { priceChanged(id: "${id}") { id price } }`;

let ticker: Ticker;
let dir: string;
let gateway: TestGateway;
let redis: Redis;
const prefix = uniquePrefix();
const clients: Client[] = [];

beforeAll(async () => {
  ticker = await startTicker(process.env['INTERNAL_SECRET']!);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-subscription-guards-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]));
  redis = new Redis(REDIS_URL);
  await redis.sadd(`${prefix}blocklist:ips`, BLOCKED_IP);
  await redis.sadd(`${prefix}blocklist:user-agents`, 'sqlmap');
  gateway = await startGateway(supergraphPath, {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_MAX: '2',
    RATE_LIMIT_WINDOW_MS: '60000',
    BLOCKLIST_REFRESH_MS: '0',
    TRUST_PROXY: 'true',
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway?.stop();
  await ticker?.kill();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const wsUrl = () => gateway.url.replace(/^http/, 'ws');

/** A graphql-ws client whose upgrade request carries `headers` (the client's IP through the trusted proxy, its user agent). */
function client(headers: Record<string, string>): Client {
  class WithHeaders extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const created = createClient({ url: wsUrl(), webSocketImpl: WithHeaders, retryAttempts: 0, lazy: true });
  clients.push(created);
  return created;
}

/** The status the gateway answers a raw WebSocket upgrade with: 101 when it opens. */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws', { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.once('error', (err) => {
      if (err.message.includes('Unexpected server response')) return;
      reject(err);
    });
  });
}

/** Subscribes on `on` and resolves with its first event, or rejects with how it ended (a close event or errors). */
function firstEvent(on: Client, id: string): { event: Promise<unknown>; ended: Promise<unknown> } {
  let endedWith: (value: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (endedWith = resolve));
  const event = new Promise<unknown>((resolve) => {
    on.subscribe(
      { query: subscription(id) },
      { next: resolve, error: endedWith, complete: () => endedWith('complete') },
    );
  });
  return { event, ended };
}

/** Opens an SSE subscription; `next` resolves with the first event's data line. */
async function sse(id: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const response = await fetch(`${gateway.url}?query=${encodeURIComponent(subscription(id))}`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const next = async (): Promise<string> => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended: ${text}`);
      text += decoder.decode(value, { stream: true });
      const data = /event: next\ndata: (.*)\n/.exec(text)?.[1];
      if (data) return data;
    }
  };
  return { response, next, close: () => abort.abort() };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('blocklist on subscription transports', () => {
  it('refuses the WebSocket upgrade of a blocklisted IP or user agent with 403, and opens it for others', async () => {
    expect(await upgradeStatus({ 'x-forwarded-for': BLOCKED_IP })).toBe(403);
    expect(
      await upgradeStatus({ 'x-forwarded-for': '198.51.100.40', 'user-agent': 'sqlmap/1.7.2#stable' }),
    ).toBe(403);
    expect(await upgradeStatus({ 'x-forwarded-for': '198.51.100.40', 'user-agent': 'Mozilla/5.0' })).toBe(
      101,
    );
  });

  it('refuses SSE and multipart subscriptions of a blocklisted IP or user agent with 403 FORBIDDEN; nothing reaches the subgraph', async () => {
    const blocked: Record<string, string>[] = [
      { 'x-forwarded-for': BLOCKED_IP },
      { 'x-forwarded-for': '198.51.100.41', 'user-agent': 'sqlmap/1.7.2' },
    ];
    for (const headers of blocked) {
      const stream = await sse('blocked', headers);
      expect(stream.response.status).toBe(403);
      expect(await stream.response.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
      const multipart = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'multipart/mixed;subscriptionSpec="1.0"',
          ...headers,
        },
        body: JSON.stringify({ query: subscription('blocked') }),
      });
      expect(multipart.status).toBe(403);
    }
    expect(ticker.active()).toBe(0);
  });
});

describe('rate limit on subscription transports', () => {
  it('serves graphql-ws subscriptions under the limit; the subscribe past it closes the connection with 4429', async () => {
    const connection = client({ 'x-forwarded-for': '203.0.113.10' });
    const first = firstEvent(connection, 'ws-1');
    const second = firstEvent(connection, 'ws-2');
    await until(() => ticker.active() === 2, 'two upstream subscriptions');
    await ticker.publish('ws-1', 1);
    await ticker.publish('ws-2', 2);
    expect(await first.event).toEqual({ data: { priceChanged: { id: 'ws-1', price: 1 } } });
    expect(await second.event).toEqual({ data: { priceChanged: { id: 'ws-2', price: 2 } } });

    const third = firstEvent(connection, 'ws-3');
    expect(await third.ended).toMatchObject({
      code: 4429,
      reason: expect.stringMatching(/^Too many requests; retry in (59|60) s\.$/),
    });
    await until(() => ticker.active() === 0, 'the closed connection to release its upstream subscriptions');
  });

  it('serves SSE subscriptions under the limit; past it SSE and multipart answer 429 RATE_LIMITED with Retry-After', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.11' };
    const first = await sse('sse-1', headers);
    const second = await sse('sse-2', headers);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    expect(first.response.headers.get('ratelimit-remaining')).toBe('1');
    await until(() => ticker.active() === 2, 'two upstream subscriptions');
    await ticker.publish('sse-1', 10);
    expect(JSON.parse(await first.next())).toEqual({ data: { priceChanged: { id: 'sse-1', price: 10 } } });

    const third = await sse('sse-3', headers);
    expect(third.response.status).toBe(429);
    expect(Number(third.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await third.response.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    const multipart = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0"',
        ...headers,
      },
      body: JSON.stringify({ query: subscription('multipart') }),
    });
    expect(multipart.status).toBe(429);
    expect(multipart.headers.get('retry-after')).not.toBeNull();
    first.close();
    second.close();
    await until(() => ticker.active() === 0, 'the closed streams to release their upstream subscriptions');
  });

  it('spends one budget per client across queries and subscriptions (counted in Redis)', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.12' };
    expect((await gateway.post({ query: '{ tickerVersion }' }, headers)).status).toBe(200);
    const stream = await sse('shared-1', headers);
    expect(stream.response.status).toBe(200);
    stream.close();
    const refused = firstEvent(client(headers), 'shared-2');
    expect(await refused.ended).toMatchObject({ code: 4429 });
    expect((await gateway.post({ query: '{ tickerVersion }' }, headers)).status).toBe(429);
    expect(Number(await redis.get(`${prefix}ratelimit:ip:203.0.113.12`))).toBe(4);
  });
});
