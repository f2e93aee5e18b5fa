/**
 * Client mistakes answer 400 with a code naming the mistake, never 500: a subscription sent over
 * plain POST, an `operationName` the document does not define, an APQ version other than 1. And the
 * HTTP server's own limits: a client trickling its headers is cut off after HTTP_HEADERS_TIMEOUT_MS
 * (lowered here), and a request with more headers than HTTP_MAX_HEADERS_COUNT is answered 431.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

let ticker: Ticker;
let dir: string;
let gateway: TestGateway;

beforeAll(async () => {
  const secret = process.env['INTERNAL_SECRET']!;
  ticker = await startTicker(secret);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-client-mistakes-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]));
  gateway = await startGateway(supergraphPath, {
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    HTTP_MAX_HEADERS_COUNT: '100',
  });
});
afterAll(async () => {
  await gateway?.stop();
  await ticker?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('client mistakes answer 400 with a code', () => {
  it('refuses a subscription sent over plain POST with 400 SUBSCRIPTION_NOT_SUPPORTED_HERE', async () => {
    const response = await gateway.post({ query: 'subscription { priceChanged(id: "p1") { id price } }' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('SUBSCRIPTION_NOT_SUPPORTED_HERE');
  });

  it('refuses an operationName the document does not define with 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const response = await gateway.post({ query: 'query A { tickerVersion }', operationName: 'B' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(response.body.errors?.[0]?.message).toContain('"B"');
  });

  it('refuses APQ version 2 with 400 PERSISTED_QUERY_VERSION_NOT_SUPPORTED and serves version 1', async () => {
    const query = '{ tickerVersion }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const response = await gateway.post({
      query,
      extensions: { persistedQuery: { version: 2, sha256Hash } },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_VERSION_NOT_SUPPORTED');
    const v1 = await gateway.post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(v1.status).toBe(200);
  });
});

/** Opens a socket that sends a request line and then one header every 200 ms; resolves with ms until the server closed it. */
function trickle(url: URL, giveUpMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\n`);
      let n = 0;
      timer = setInterval(() => socket.write(`x-slow-${(n += 1)}: 1\r\n`), 200);
    });
    const done = () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), giveUpMs);
  });
}

describe('HTTP server limits', () => {
  it('closes sockets trickling their headers after the header timeout (1 s here)', async () => {
    const url = new URL(gateway.url);
    const closedAfter = await Promise.all(Array.from({ length: 10 }, () => trickle(url, 8_000)));
    // Closed by the server well before the test gives up at 8 s (Node's default would be 60 s).
    for (const ms of closedAfter) expect(ms).toBeLessThan(4_000);
  });

  it('answers 431 REQUEST_HEADERS_TOO_MANY to a request with 150 headers, and serves one with 50', async () => {
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`x-h-${i}`, '1']));
    const refused = await gateway.post({ query: '{ tickerVersion }' }, many);
    expect(refused.status).toBe(431);
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('REQUEST_HEADERS_TOO_MANY');
    const few = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x-h-${i}`, '1']));
    expect((await gateway.post({ query: '{ tickerVersion }' }, few)).status).toBe(200);
  });
});
