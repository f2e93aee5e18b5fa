/**
 * METRICS_PORT: /metrics moves to an internal port of its own, so that a published gateway port
 * (compose's 4000, a NodePort) never shows it; /health and /ready stay on the service port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@terrarium/platform/ports';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

let ticker: Ticker;
let dir: string;
let gateway: TestGateway;
let metricsPort: number;

beforeAll(async () => {
  ticker = await startTicker(process.env['INTERNAL_SECRET']!);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-metrics-port-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]));
  metricsPort = await freePort();
  gateway = await startGateway(supergraphPath, { METRICS_PORT: String(metricsPort) });
});
afterAll(async () => {
  await gateway?.stop();
  await ticker?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('METRICS_PORT', () => {
  it('serves /metrics only on the metrics port, probes only on the service port', async () => {
    await gateway.post({ query: '{ __typename }' });
    const origin = new URL(gateway.url).origin;
    expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    expect((await fetch(`${origin}/ready`)).status).toBe(200);

    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^graphql_requests_duration_seconds_count\{.*\} [1-9]/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);
  });

  it('labels client-chosen operation names up to the cap (500): past it, new names share "other"', async () => {
    const names = Array.from(
      { length: 520 },
      (_, i) => `Probe${i}x${Math.random().toString(36).slice(2, 8)}`,
    );
    for (let i = 0; i < names.length; i += 40)
      await Promise.all(
        names
          .slice(i, i + 40)
          .map((name) => gateway.post({ query: `query ${name} { __typename }`, operationName: name })),
      );
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const labels = new Set(
      [...text.matchAll(/^graphql_requests_duration_seconds_count\{[^}]*operation="([^"]*)"/gm)].map(
        (m) => m[1],
      ),
    );
    const probes = [...labels].filter((label) => label!.startsWith('Probe'));
    expect(probes.length).toBeGreaterThan(400);
    expect(labels.size).toBeLessThanOrEqual(502); // the cap, "other", and "anonymous"/"unresolved"
    expect(labels).toContain('other');
  });

  it('refuses a METRICS_PORT that is no port, with every other problem, at start', async () => {
    const { loadGatewayConfig } = await import('../src/config.js');
    expect(() =>
      loadGatewayConfig([], { METRICS_PORT: 'ninety', MAX_DEPTH: '0', TRUST_PROXY: 'yes' }),
    ).toThrow(
      /METRICS_PORT must be a port number, got "ninety"[\s\S]*MAX_DEPTH must be an integer of at least 1[\s\S]*TRUST_PROXY must be true, false or the number of proxies in front of the gateway \(1-10\), got "yes"/,
    );
  });
});
