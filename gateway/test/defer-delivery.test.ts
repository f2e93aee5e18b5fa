import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTerrarium, type TerrariumUnderTest } from './differential/harness.js';
import { ACCEPT_DEFER, deferredTwin, readParts, type Payload } from './differential/multipart.js';
import { contractOperations, startPlatformGraph, type PlatformGraph } from './differential/platform.js';

/**
 * @defer as a storefront uses it: the product page with its reviews deferred, over the platform
 * graph (made-up resolvers) behind Terrarium's gateway. The community subgraph is reached through
 * a gate that holds the reviews fetch until the test has read the first part, so "the first part
 * comes before the reviews" is checked by order: a gateway that waited for the reviews would
 * never send it (the test would time out), not by a clock.
 */

const PRODUCT_PAGE = `query ProductPage($slug: String!) {
  product(slug: $slug) {
    id sku name slug description price { amount currency } category { id name slug }
    images(first: 4) { id url(width: 800) alt }
    stock { available }
    ... @defer(label: "reviews") {
      averageRating reviewCount
      reviews(first: 5) { totalCount edges { node { id rating body createdAt author { id displayName } } } }
    }
  }
}`;
const VARIABLES = { slug: 'text' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** A proxy to a subgraph that holds every request asking for `reviews` until released. */
interface Gate {
  url: string;
  /** Requests for reviews received, and answered. */
  held: number;
  answered: number;
  release(): void;
  close(): Promise<void>;
}

async function startGate(target: string): Promise<Gate> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const gate: Gate = {
    url: '',
    held: 0,
    answered: 0,
    release: () => release(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const reviews = body.includes('reviews');
      if (reviews) {
        gate.held += 1;
        await released;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))
          headers[name] = value;
      const upstream = await fetch(target, { method: 'POST', headers, body });
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(await upstream.text());
      if (reviews) gate.answered += 1;
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return gate;
}

describe('@defer: the product page with its reviews deferred', () => {
  let graph: PlatformGraph;
  let gate: Gate;
  let gateway: TerrariumUnderTest;
  let authorization: string;

  beforeAll(async () => {
    graph = await startPlatformGraph();
    const community = /@join__graph\(name: "community", url: "([^"]+)"\)/.exec(graph.supergraphSdl)?.[1];
    if (!community) throw new Error('no community subgraph in the supergraph');
    gate = await startGate(community);
    gateway = await startTerrarium(
      graph.supergraphSdl.replace(
        `@join__graph(name: "community", url: "${community}")`,
        `@join__graph(name: "community", url: "${gate.url}")`,
      ),
    );
    authorization = `Bearer ${await gateway.issuer.sign({ sub: '00000000-0000-4000-8000-0000000000aa', roles: ['STAFF'] })}`;
  });
  afterAll(async () => {
    gate?.release();
    await gateway?.close();
    await gate?.close();
    await graph?.close();
  });

  const send = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });

  it('delivers the product before its reviews are fetched, then the reviews at the product, labelled', async () => {
    const response = await send(PRODUCT_PAGE, VARIABLES, { accept: ACCEPT_DEFER, authorization });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    const parts = readParts(response.body!);

    const first = (await parts.next()).value as Payload;
    // The reviews fetch is still held at the gate: this part cannot have waited for it.
    expect(gate.answered).toBe(0);
    expect(first.hasNext).toBe(true);
    const product = first.data?.['product'] as Record<string, unknown>;
    expect(product).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    expect(product).not.toHaveProperty('reviews');
    expect(product).not.toHaveProperty('averageRating');

    gate.release();
    const rest: Payload[] = [];
    for await (const payload of parts) rest.push(payload);
    expect(gate.answered).toBe(1);
    expect(rest.at(-1)?.hasNext).toBe(false);
    const items = rest.flatMap((payload) => payload.incremental ?? []);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ path: ['product'], label: 'reviews' });
    expect(items[0]!.data).toHaveProperty('reviews.totalCount');
    expect(items[0]!.data).toHaveProperty('reviewCount');
  });

  it('answers the whole page in one JSON response to a client that does not accept parts', async () => {
    gate.release();
    const whole = await send(PRODUCT_PAGE, VARIABLES, { authorization });
    expect(whole.headers.get('content-type')).toMatch(/^application\/json/);
    const withoutDefer = await send(
      PRODUCT_PAGE.replace('... @defer(label: "reviews") {', '... {'),
      VARIABLES,
      {
        authorization,
      },
    );
    expect(await whole.json()).toEqual(await withoutDefer.json());
  });

  it('follows @defer(if: $variable): in parts when true, whole (as without @defer) when false', async () => {
    gate.release();
    const conditional = PRODUCT_PAGE.replace(
      'query ProductPage($slug: String!)',
      'query ProductPage($slug: String!, $later: Boolean!)',
    ).replace('@defer(label: "reviews")', '@defer(if: $later, label: "reviews")');
    const withoutDefer = await (
      await send(PRODUCT_PAGE.replace('... @defer(label: "reviews") {', '... {'), VARIABLES, {
        authorization,
      })
    ).json();

    const off = await send(
      conditional,
      { ...VARIABLES, later: false },
      { accept: ACCEPT_DEFER, authorization },
    );
    expect(off.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await off.json()).toEqual(withoutDefer);

    const on = await send(
      conditional,
      { ...VARIABLES, later: true },
      { accept: ACCEPT_DEFER, authorization },
    );
    expect(on.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    const payloads: Payload[] = [];
    for await (const payload of readParts(on.body!)) payloads.push(payload);
    expect(payloads).toHaveLength(2);
    expect(payloads[0]!.data?.['product']).not.toHaveProperty('reviews');
    expect(payloads[1]!.incremental?.[0]).toMatchObject({ path: ['product'], label: 'reviews' });
    const product = payloads[0]!.data?.['product'] as Record<string, unknown>;
    const merged = { ...product, ...payloads[1]!.incremental![0]!.data };
    expect({ errors: payloads[0]!.errors, data: { product: merged } }).toEqual(withoutDefer);
  });

  it('refuses an anonymous deferred staff-only read before executing anything (@access still applies)', async () => {
    const auditLog = contractOperations(graph.apiSchema).find(
      (operation) => operation.name === 'contract admin AuditLog',
    );
    expect(auditLog).toBeDefined();
    const twin = deferredTwin(auditLog!);
    expect(twin.query).toContain('@defer');
    const metric = gateway.server.metrics.registry.getSingleMetric('gateway_operation_executions_total');
    const before = JSON.stringify((await metric?.get())?.values);
    const response = await send(twin.query, twin.variables ?? {}, { accept: ACCEPT_DEFER });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.stringify((await metric?.get())?.values)).toBe(before);
  });
});
