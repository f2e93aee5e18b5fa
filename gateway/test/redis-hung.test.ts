/**
 * A hung Redis costs misses, not latency: with the gateway's own redis-server SIGSTOPped, requests
 * that use Redis on every call (blocklist read each time, rate limit, an APQ lookup) are answered
 * about as fast as before, once the breaker has opened (REDIS_BUDGET_MS bounds the calls before),
 * and the gateway goes back to Redis by itself after SIGCONT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@terrarium/platform/ports';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

let ticker: Ticker;
let dir: string;
let gateway: TestGateway;
let redisServer: ChildProcess;
let port: number;
const QUERY = '{ tickerVersion }';
const HASH = createHash('sha256').update(QUERY).digest('hex');

beforeAll(async () => {
  port = await freePort();
  redisServer = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i += 1) {
    if ((await probe.ping().catch(() => null)) === 'PONG') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  probe.disconnect();
  ticker = await startTicker(process.env['INTERNAL_SECRET']!);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-redis-hung-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]));
  gateway = await startGateway(supergraphPath, {
    REDIS_URL: `redis://127.0.0.1:${port}`,
    BLOCKLIST_REFRESH_MS: '0',
    RATE_LIMIT_MAX: '100000',
    REDIS_BUDGET_MS: '150',
    REDIS_BREAKER_COOLDOWN_MS: '1000',
  });
});
afterAll(async () => {
  if (redisServer?.pid) {
    process.kill(redisServer.pid, 'SIGCONT');
    redisServer.kill('SIGKILL');
  }
  await gateway?.stop();
  await ticker?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Latencies (ms) of `n` sequential APQ requests by hash. */
async function latencies(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    const response = await gateway.post({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } });
    times.push(performance.now() - started);
    // A hit, or (Redis skipped) PERSISTED_QUERY_NOT_FOUND, the answer APQ clients re-send the query on.
    expect([200, 400, 404]).toContain(response.status);
  }
  return times;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

it('answers with Redis SIGSTOPped about as fast as with Redis up, and uses Redis again after SIGCONT', async () => {
  expect(
    (await gateway.post({ query: QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }))
      .status,
  ).toBe(200);
  const up = await latencies(40);
  process.kill(redisServer.pid!, 'SIGSTOP');
  // The first few calls spend their 150 ms budget and open the breaker.
  await latencies(5);
  const stopped = await latencies(100);
  console.info(
    `[redis-hung] Redis up: p50 ${percentile(up, 50).toFixed(1)} ms, p99 ${percentile(up, 99).toFixed(1)} ms; ` +
      `SIGSTOPped: p50 ${percentile(stopped, 50).toFixed(1)} ms, p99 ${percentile(stopped, 99).toFixed(1)} ms`,
  );
  // Probes after each 1 s cool-down may spend one 150 ms budget; nothing waits for Redis's 250 ms command timeout.
  expect(percentile(stopped, 50)).toBeLessThan(50);
  expect(percentile(stopped, 99)).toBeLessThan(200);

  process.kill(redisServer.pid!, 'SIGCONT');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  await latencies(3);
  const hit = await gateway.post({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } });
  expect(hit.status).toBe(200);
  expect(hit.body.data).toEqual({ tickerVersion: null });
});
