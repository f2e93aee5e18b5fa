/**
 * Partner CORS on the subscription transports: a verified partner key's multipart (Apollo Client's
 * HttpLink) or SSE (the embed widget) subscription is answered to the partner page's origin, which
 * nobody lists in CORS_ORIGINS, and never with credentials; an unknown key's is answered to no
 * origin; one outside the key's safelist is refused with the real code, as a POST would be.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, uniquePrefix, type TestGateway } from './fixtures/gateway.js';
import { PARTNER_KEY, compose, startFixtureGraph, type FixtureGraph } from './fixtures/graph.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

const ORIGIN = 'https://reptile-weekly.example';
const PRICE_LIVE = 'subscription PriceLive { priceChanged(id: "p1") { id price } }';
const PRICE_LIVE_ID = createHash('sha256').update(PRICE_LIVE).digest('hex');
const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0", application/json';

let graph: FixtureGraph;
let ticker: Ticker;
let dir: string;
let gateway: TestGateway;

beforeAll(async () => {
  [graph, ticker] = await Promise.all([startFixtureGraph(), startTicker(process.env['INTERNAL_SECRET']!)]);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-partner-cors-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    compose([graph.ops, { name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]),
  );
  writeFileSync(
    join(dir, 'partner-embed.json'),
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: PRICE_LIVE_ID, name: 'PriceLive', type: 'subscription', body: PRICE_LIVE }],
    }),
  );
  gateway = await startGateway(supergraphPath, {
    OPS_URL: graph.ops.url,
    REDIS_URL: process.env['REDIS_URL'],
    REDIS_KEY_PREFIX: uniquePrefix(),
    PERSISTED_MANIFESTS_DIR: dir,
  });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([graph?.close(), ticker?.kill()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Reads the stream until `pattern` appears in it. */
async function readUntil(response: Response, pattern: RegExp): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended: ${text}`);
    text += decoder.decode(value, { stream: true });
    if (pattern.test(text)) return text;
  }
}

/** A partner page's subscription request for PriceLive by its id, streaming as `accept` asks. */
function subscribeAsPartner(key: string, accept: string, signal?: AbortSignal): Promise<Response> {
  return fetch(gateway.url, {
    method: 'POST',
    headers: { origin: ORIGIN, 'x-api-key': key, 'content-type': 'application/json', accept },
    body: JSON.stringify({ documentId: `sha256:${PRICE_LIVE_ID}` }),
    ...(signal ? { signal } : {}),
  });
}

const TRANSPORTS = [
  // Apollo Client's HttpLink; the embed widget.
  { transport: 'multipart HTTP', accept: MULTIPART_ACCEPT, contentType: 'multipart/mixed', price: 2599 },
  { transport: 'SSE', accept: 'text/event-stream', contentType: 'text/event-stream', price: 2699 },
];

describe.each(TRANSPORTS)('a partner key subscribing over $transport', ({ accept, contentType, price }) => {
  it('is answered to its origin, never with credentials, and receives events', async () => {
    const abort = new AbortController();
    const response = await subscribeAsPartner(PARTNER_KEY, accept, abort.signal);
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(contentType);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      while (ticker.active() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await ticker.publish('p1', price);
      expect(await readUntil(response, new RegExp(`"price":${price}`))).toContain(
        `"priceChanged":{"id":"p1","price":${price}}`,
      );
    } finally {
      abort.abort();
    }
  });

  it('with an unknown key is answered to no origin', async () => {
    const response = await subscribeAsPartner('tk_test_unknown_key_000000000000', accept);
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    await response.body?.cancel();
  });
});

describe("a partner key's subscription outside its safelist", () => {
  it.each([
    ['SSE', 'text/event-stream'],
    ['multipart', MULTIPART_ACCEPT],
  ])('is refused over %s with the real message and code, to its origin', async (_transport, accept) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'x-api-key': PARTNER_KEY, 'content-type': 'application/json', accept },
      body: JSON.stringify({ query: 'subscription { priceChanged(id: "p1") { id } }' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_IN_LIST' }),
      }),
    ]);
    expect(body.errors[0]!.message).not.toMatch(/Unable to detect operation AST/);
  });
});
