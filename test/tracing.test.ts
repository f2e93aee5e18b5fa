/**
 * OpenTelemetry end to end: real gateway, ops and products processes export their spans over
 * OTLP/HTTP (JSON) to a collector this test runs, and one query's spans form one trace across the
 * three services, with each subgraph's server span a child of the gateway's fetch to it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startPlatform, type Platform } from './support/platform.js';

/** The OTLP JSON encoding of a span, as much of it as the test reads. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 2 = SERVER, 3 = CLIENT */
  kind: number;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

interface CollectedSpan extends OtlpSpan {
  service: string;
}

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
/** Spans are exported every OTEL_BSP_SCHEDULE_DELAY (200 ms here); this bounds the wait for them. */
const ARRIVAL_TIMEOUT_MS = 10_000;

const spans: CollectedSpan[] = [];
let collector: Server;
let platform: Platform;

/** A minimal OTLP/HTTP trace receiver: stores every span POSTed to /v1/traces. */
function startCollector(): Promise<string> {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service =
            resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ??
            '';
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? []) spans.push({ ...span, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    collector.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`),
    ),
  );
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : String(value.stringValue ?? value.intValue);
}

/** Polls the collected spans until `found` returns a value. */
async function eventually<T>(found: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `spans did not arrive; collected: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.kind]))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const endpoint = await startCollector();
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'community'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
  });
});
afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

/** A product (products) with its creator (ops): one fetch to each subgraph. */
const JOIN_QUERY = '{ product(slug: "ceramic-heat-emitter-100w") { sku createdBy { displayName } } }';

/**
 * The trace of the one query sent through `gatewayUrl`: the spans sharing the traceId of that
 * gateway's server span (whose parent is `clientSpanId`, or none), once all three services' are in.
 */
function traceOf(gatewayUrl: string, clientSpanId?: string): Promise<CollectedSpan[]> {
  const port = new URL(gatewayUrl).port;
  return eventually(() => {
    const roots = spans.filter(
      (s) =>
        s.service === 'gateway' &&
        s.kind === SPAN_KIND_SERVER &&
        (s.parentSpanId || undefined) === clientSpanId &&
        attribute(s, 'server.port') === port,
    );
    for (const root of roots) {
      const trace = spans.filter((s) => s.traceId === root.traceId);
      const services = new Set(trace.map((s) => s.service));
      if (services.has('products') && services.has('ops')) return trace;
    }
    return undefined;
  });
}

/** Each subgraph's server span in `trace` has one of the gateway's client (fetch) spans as parent. */
function expectSubgraphSpansUnderGatewayFetches(trace: CollectedSpan[]): void {
  const gatewayFetches = new Set(
    trace.filter((s) => s.service === 'gateway' && s.kind === SPAN_KIND_CLIENT).map((s) => s.spanId),
  );
  for (const service of ['products', 'ops']) {
    const server = trace.find((s) => s.service === service && s.kind === SPAN_KIND_SERVER);
    expect(server, `${service} server span`).toBeDefined();
    expect(
      gatewayFetches.has(server!.parentSpanId ?? ''),
      `${service}'s server span is a child of a gateway client span`,
    ).toBe(true);
  }
}

describe('OpenTelemetry traces across gateway and subgraphs', () => {
  it("continues a client's trace on the fast executor (undici Pool dispatch), subgraph spans under the gateway fetches", async () => {
    // As a browser or service with OpenTelemetry sends it: the gateway's spans join this trace.
    const clientTraceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const { status, body } = await gql(
      platform.gatewayUrl,
      JOIN_QUERY,
      {},
      { traceparent: `00-${clientTraceId}-${clientSpanId}-01` },
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({ product: { sku: 'TR-HEAT-100', createdBy: { displayName: 'Ada Admin' } } });
    const trace = await traceOf(platform.gatewayUrl, clientSpanId);
    expect(trace[0]!.traceId).toBe(clientTraceId);
    expectSubgraphSpansUnderGatewayFetches(trace);
  });

  it("does the same on Apollo Gateway's own executor (undici fetch), and flushes its spans on SIGTERM", async () => {
    // Batches go out only every minute here, so the gateway's spans can arrive only by the flush at shutdown.
    const stock = await platform.startGateway({ FAST_EXECUTION: 'false', OTEL_BSP_SCHEDULE_DELAY: '60000' });
    const { status, body } = await gql(stock.url, JOIN_QUERY);
    await stock.stop();
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expectSubgraphSpansUnderGatewayFetches(await traceOf(stock.url));
  });

  it('does not trace health probes', () => {
    // startPlatform polled /health of every process before the queries above.
    expect(spans.length).toBeGreaterThan(0);
    expect(
      spans.filter((s) => ['/health', '/ready', '/metrics'].includes(attribute(s, 'url.path') ?? '')),
    ).toEqual([]);
  });
});
