import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureGraph, type FixtureGraph } from './fixtures/graph.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';

let graph: FixtureGraph;
let gateway: TestGateway;
/** A per-subgraph override: reviews must answer within this, the others within the default. */
const REVIEWS_TIMEOUT_MS = 300;
const RATED = { query: 'query Rated { products { id title rating } }' };

beforeAll(async () => {
  graph = await startFixtureGraph();
  gateway = await startGateway(graph.supergraphPath, {
    REVIEWS_TIMEOUT_MS: String(REVIEWS_TIMEOUT_MS),
    SUBGRAPH_TIMEOUT_MS: '5000',
  });
});
afterAll(async () => {
  await gateway?.stop();
  await graph?.close();
});

describe('observability', () => {
  it('forwards the request id and W3C trace context to every subgraph fetch', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { headers } = await gateway.post(RATED, { 'x-request-id': 'req-1234', traceparent });
    expect(headers.get('x-request-id')).toBe('req-1234');
    const fetches = [...graph.products.requests.slice(-1), ...graph.reviews.requests.slice(-1)];
    for (const seen of fetches) {
      expect(seen.headers['x-request-id']).toBe('req-1234');
      expect(seen.headers['traceparent']).toBe(traceparent);
    }
  });

  it('generates a request id when the client sends none (or an unsafe one)', async () => {
    const { headers } = await gateway.post(RATED, { 'x-request-id': 'bad id; drop table' });
    const id = headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(graph.reviews.requests.at(-1)?.headers['x-request-id']).toBe(id);
  });

  it('exposes Prometheus metrics: requests by operation and status, subgraph fetches', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/metrics'));
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    /** The value of the sample `name` whose labels include every one of `labels`. */
    const sample = (name: string, ...labels: string[]) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
          ?.split(' ')
          .at(-1),
      );
    expect(sample('graphql_requests_duration_seconds_count', 'operation="Rated"', 'status="200"')).toBe(2);
    expect(sample('subgraph_fetch_duration_seconds_count', 'subgraph="reviews"')).toBe(2);
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(gateway.url.replace('/graphql', '/health'))).status).toBe(200);
    expect(await (await fetch(gateway.url.replace('/graphql', '/ready'))).json()).toEqual({
      status: 'ready',
    });
  });
});

describe('failing subgraphs', () => {
  it('times out a hung subgraph at its own timeout: partial data and an error naming it', async () => {
    graph.reviews.hang = true;
    try {
      const started = Date.now();
      const { status, body } = await gateway.post(RATED);
      expect(Date.now() - started).toBeLessThan(REVIEWS_TIMEOUT_MS + 1_000);
      expect(status).toBe(200);
      expect(body.data?.['products']).toEqual([
        { id: 'p1', title: 'Heat Emitter', rating: null },
        { id: 'p2', title: 'UVB Tube', rating: null },
        { id: 'p3', title: 'Thermostat', rating: null },
      ]);
      expect(body.errors).toEqual([
        {
          message: `The reviews subgraph did not answer within ${REVIEWS_TIMEOUT_MS} ms.`,
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout', serviceName: 'reviews' },
        },
      ]);
    } finally {
      graph.reviews.hang = false;
    }
  });

  it('retries a query once when the connection drops', async () => {
    const before = graph.products.count();
    graph.products.dropNext = 1;
    const { status, body } = await gateway.post({ query: '{ products { id } }' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['products']).toHaveLength(3);
    expect(graph.products.count() - before).toBe(2);
  });

  it('never retries a mutation', async () => {
    const before = graph.products.count();
    graph.products.dropNext = 1;
    const { body } = await gateway.post({ query: 'mutation { renameProduct(id: "p1", title: "x") { id } }' });
    expect(graph.products.count() - before).toBe(1);
    expect(body.data).toEqual({ renameProduct: null });
    expect(body.errors?.[0]).toMatchObject({
      message: 'The products subgraph is unavailable.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'products' },
    });
  });

  it('retries a query once when a load balancer answers 502 or 503 (its instance died, or none was up)', async () => {
    for (const status of [502, 503]) {
      const before = graph.products.count();
      graph.products.statusNext = [status];
      const { body } = await gateway.post({ query: '{ products { id } }' });
      expect(body.errors).toBeUndefined();
      expect(body.data?.['products']).toHaveLength(3);
      expect(graph.products.count() - before).toBe(2);
    }
  });

  it('retries a query only once, and never on 500 or 504', async () => {
    for (const statuses of [[502, 502], [500], [504]]) {
      const before = graph.products.count();
      graph.products.statusNext = [...statuses];
      const { body } = await gateway.post({ query: '{ products { id } }' });
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        serviceName: 'products',
      });
      expect(graph.products.count() - before).toBe(statuses.length === 2 ? 2 : 1);
      graph.products.statusNext = [];
    }
  });

  it('never retries a mutation a load balancer answered with 502 (it may have been applied)', async () => {
    const before = graph.products.count();
    graph.products.statusNext = [502];
    const { body } = await gateway.post({ query: 'mutation { renameProduct(id: "p1", title: "x") { id } }' });
    expect(graph.products.count() - before).toBe(1);
    expect(body.data).toEqual({ renameProduct: null });
    expect(body.errors?.[0]).toMatchObject({
      message: 'The products subgraph failed (HTTP 502).',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'products' },
    });
  });

  it('serves partial data when a subgraph is killed mid-run, naming it and not its URL', async () => {
    expect((await gateway.post(RATED)).body.errors).toBeUndefined();
    await graph.reviews.kill();
    const { status, body } = await gateway.post(RATED);
    expect(status).toBe(200);
    expect(body.data?.['products']).toHaveLength(3);
    expect(body.data?.['products']).toContainEqual({ id: 'p2', title: 'UVB Tube', rating: null });
    expect(body.errors).toEqual([
      {
        message: 'The reviews subgraph is unavailable.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'connection', serviceName: 'reviews' },
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });
});
