// @ts-check
/**
 * Subscription fan-out through the real gateway: N graphql-ws clients (one WebSocket each, as N
 * browser tabs) subscribe to the contract's StockLive on one product, then staff runs AdjustStock
 * and the bench measures, from just before the mutation is sent, when each subscriber receives
 * the event (name from products, stock from inventory, averageRating from community), and the
 * gateway's resident memory before the subscribers, with them, and after the deliveries.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node scripts/bench-subscriptions.js [--subscribers 1000] [--rounds 5] [--modes dedup,distinct,no-dedup]
 *
 * Needs the built subgraphs and gateway (`npx turbo run build`). A fresh database is created,
 * seeded by the subgraphs (ops, products, inventory, community) and dropped at the end. Modes:
 * `dedup` is the default gateway with N anonymous subscribers (one caller: they share one upstream
 * subscription and one resolution per event); `distinct` is the default gateway with N different
 * callers, every other one signed in as a user of its own (a JWT signed with ops' key), the others
 * anonymous, each from an address of its own: a public selection such as StockLive is still
 * shared (src/subscriptions/README.md); `no-dedup` (SUBSCRIPTION_DEDUPLICATION=false) pays for
 * every subscriber upstream and in the other subgraphs, as N callers each with a stream of their
 * own would. Each mode gets a fresh gateway process. Prints a table and writes
 * bench/results/subscriptions-<date>.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import graphql from 'graphql';
import { createClient } from 'graphql-ws';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { freePort } from './lib/embedded-postgres.js';
import { ROOT, startNode, waitForHealth, subgraphMain } from './lib/processes.js';
import { admin, contractOperation, runBench } from './lib/bench-setup.js';

const SUBGRAPHS = ['ops', 'products', 'inventory', 'community'];
const HEALTH_TIMEOUT_MS = 120_000;
/** A round fails if the last subscriber has not heard of the change by then. */
const DELIVERY_TIMEOUT_MS = 60_000;
const PRODUCT = seedId('product:TR-HEAT-100');
const log = (/** @type {string} */ message) => process.stdout.write(`[bench-subscriptions] ${message}\n`);

const { values: flags } = parseArgs({
  options: { subscribers: { type: 'string' }, rounds: { type: 'string' }, modes: { type: 'string' } },
  strict: true,
});
const SUBSCRIBERS = Number(flags.subscribers ?? process.env.BENCH_SUBSCRIBERS ?? 1000);
const ROUNDS = Number(flags.rounds ?? process.env.BENCH_SUBSCRIPTION_ROUNDS ?? 5);
const MODES = (flags.modes ?? process.env.BENCH_SUBSCRIPTION_MODES ?? 'dedup,distinct,no-dedup')
  .split(',')
  .map((m) => m.trim());
for (const mode of MODES)
  if (mode !== 'dedup' && mode !== 'distinct' && mode !== 'no-dedup')
    throw new Error(`unknown mode ${mode} (dedup, distinct, no-dedup)`);

/** ops' signing key for the run (JWT_PRIVATE_KEY), so the bench can sign users' tokens as ops does. */
const { privateKey: SIGNING_KEY, publicKey } = await generateKeyPair('ES256', { extractable: true });
const SIGNING_KID = await calculateJwkThumbprint(await exportJWK(publicKey));

/** A signed-in user's JWT, as ops issues them (one hour). @param {string} userId */
const userToken = (userId) =>
  new SignJWT({ roles: ['KEEPER'], orgs: [] })
    .setProtectedHeader({ alg: 'ES256', kid: SIGNING_KID, typ: 'JWT' })
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuer('terrarium-ops')
    .setAudience('terrarium')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(SIGNING_KEY);

/**
 * Subscriber `i`'s client address (x-forwarded-for; the gateway trusts it here), so that the
 * per-principal connection cap counts anonymous subscribers as the different people they are.
 * @param {number} i
 */
const addressOf = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** graphql-ws's client takes a WebSocket class; this one sends `headers` with the upgrade. @param {Record<string, string>} headers */
const webSocketWith = (headers) =>
  class extends WebSocket {
    /** @param {string} address @param {string | string[]} [protocols] */
    constructor(address, protocols) {
      super(address, protocols, { headers });
    }
  };

/** @type {{ stop: (graceMs?: number) => Promise<void>, child: import('node:child_process').ChildProcess, alive: () => boolean }[]} */
const processes = [];
/** @type {(() => Promise<void>)[]} */
const cleanups = [];
/** Closes the bench's own clients; runs before any process stops. @type {(() => Promise<void>)[]} */
const disposers = [];

/** Resident set size of a process, in MiB. @param {number} pid */
function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

/** A sample's value from the gateway's /metrics (the first line starting with `prefix`). @param {string} graphqlUrl @param {string} prefix */
async function metric(graphqlUrl, prefix) {
  const text = await (await fetch(graphqlUrl.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  // A labelled gauge has no sample until its first value.
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The gateway's V8 heap in use, in MiB: less noisy than RSS, which lags GC. @param {string} graphqlUrl */
const heapUsedMiB = async (graphqlUrl) =>
  (await metric(graphqlUrl, 'nodejs_heap_size_used_bytes')) / 1024 / 1024;

/** @param {string} url @param {string} query @param {Record<string, unknown>} variables @param {Record<string, string>} [headers] */
async function post(url, query, variables, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = /** @type {{ data?: any, errors?: unknown[] }} */ (await response.json());
  if (body.errors) throw new Error(`${query.slice(0, 40)}...: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** @param {number[]} sorted @param {number} q */
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/**
 * One gateway process, N subscribers, `ROUNDS` mutations.
 * @param {{ mode: string, env: NodeJS.ProcessEnv, supergraphPath: string }} options
 */
async function runMode({ mode, env, supergraphPath }) {
  const port = await freePort();
  const gateway = startNode(
    `gateway:${mode}`,
    'gateway/dist/main.js',
    ['--supergraph', supergraphPath, '--port', String(port), '--host', '127.0.0.1'],
    {
      ...env,
      RATE_LIMIT_MAX: '0',
      TRUST_PROXY: 'true',
      SUBSCRIPTION_DEDUPLICATION: mode === 'no-dedup' ? 'false' : 'true',
    },
  );
  processes.push(gateway);
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForHealth(url.replace('/graphql', '/ready'), HEALTH_TIMEOUT_MS, gateway.alive);
  const pid = /** @type {number} */ (gateway.child.pid);
  const login = await post(
    url,
    'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }',
    { e: 'admin@terrarium.test', p: 'terrarium-demo' },
  );
  const staff = { authorization: `Bearer ${login.logIn.token}` };
  const stockLive = contractOperation('storefront', 'StockLive');
  const adjustStock = contractOperation('admin', 'AdjustStock');
  const adjust = async (/** @type {number} */ delta) =>
    /** @type {number} */ (
      (
        await post(
          url,
          adjustStock,
          { productId: PRODUCT, delta, reason: 'subscription fan-out bench' },
          staff,
        )
      ).adjustStock.stock.available
    );

  // Warm the gateway's query path (plans, pools) so the baseline is a serving gateway.
  await adjust(1);
  const rssBefore = rssMiB(pid);
  const heapBefore = await heapUsedMiB(url);

  /** @type {{ arrivals: { at: number, available: number, ok: boolean }[] }[]} */
  const subscribers = Array.from({ length: SUBSCRIBERS }, () => ({ arrivals: [] }));
  /** @type {(() => void)[]} */
  let wakers = [];
  let closing = false;
  const wake = () => {
    const current = wakers;
    wakers = [];
    for (const w of current) w();
  };
  // In `distinct` mode every other subscriber is a user of its own.
  const tokens = await Promise.all(
    subscribers.map((_, i) =>
      mode === 'distinct' && i % 2 === 1 ? userToken(seedId(`bench-user:${i}`)) : null,
    ),
  );
  const clients = subscribers.map((subscriber, i) => {
    const token = tokens[i];
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: webSocketWith({ 'x-forwarded-for': addressOf(i) }),
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
    });
    client.subscribe(
      { query: stockLive, variables: { productId: PRODUCT } },
      {
        next: (/** @type {any} */ result) => {
          const change = result.data?.stockChanged;
          subscriber.arrivals.push({
            at: performance.now(),
            available: change?.stock?.available,
            ok: !result.errors && typeof change?.name === 'string',
          });
          wake();
        },
        error: (err) => {
          if (!closing)
            log(`a subscriber failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
        },
        complete: () => {},
      },
    );
    return client;
  });
  disposers.push(async () => {
    closing = true;
    await Promise.allSettled(clients.map((c) => c.dispose()));
  });

  /** Waits until `predicate` holds or `timeoutMs` passes; true when it holds. */
  const until = async (/** @type {() => boolean} */ predicate, /** @type {number} */ timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        wakers.push(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    return true;
  };

  /** Waits until no event has arrived for a second. */
  const settle = async () => {
    for (let total = -1; ;) {
      const now = subscribers.reduce((sum, s) => sum + s.arrivals.length, 0);
      if (now === total) return;
      total = now;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };

  // Memory with every subscription accepted, before any event: what holding N subscribers costs.
  const accepted = Date.now();
  while ((await metric(url, 'gateway_subscriptions_active{')) < SUBSCRIBERS) {
    if (Date.now() - accepted > DELIVERY_TIMEOUT_MS)
      throw new Error(`${mode}: the gateway did not accept ${SUBSCRIBERS} subscriptions`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rssSubscribed = rssMiB(pid);
  const heapSubscribed = await heapUsedMiB(url);
  const upstreams = await metric(url, 'gateway_subscription_upstreams_active');

  // Subscribers are live once each has seen an event (the subgraph subscribes upstream asynchronously).
  const subscribeStarted = Date.now();
  while (!subscribers.every((s) => s.arrivals.length > 0)) {
    if (Date.now() - subscribeStarted > DELIVERY_TIMEOUT_MS)
      throw new Error(
        `${mode}: only ${subscribers.filter((s) => s.arrivals.length > 0).length} of ${SUBSCRIBERS} subscribers went live`,
      );
    await adjust(1);
    await until(() => subscribers.every((s) => s.arrivals.length > 0), 2_000);
  }
  log(`${mode}: ${SUBSCRIBERS} subscribers live in ${((Date.now() - subscribeStarted) / 1000).toFixed(1)} s`);

  /** @type {{ mutationMs: number, firstMs: number, p50Ms: number, p99Ms: number, lastMs: number }[]} */
  const rounds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // The warm-up's and the previous round's events must all be in: a round times only its own.
    await settle();
    const seen = subscribers.map((s) => s.arrivals.length);
    const sentAt = performance.now();
    const available = await adjust(round % 2 === 0 ? 3 : -3);
    const mutationMs = performance.now() - sentAt;
    const mine = (/** @type {typeof subscribers[number]} */ s, /** @type {number} */ i) =>
      s.arrivals.slice(seen[i] ?? 0).find((a) => a.available === available);
    const delivered = await until(
      () => subscribers.every((s, i) => mine(s, i) !== undefined),
      DELIVERY_TIMEOUT_MS,
    );
    if (!delivered)
      throw new Error(
        `${mode}: round ${round} not delivered to every subscriber within ${DELIVERY_TIMEOUT_MS} ms`,
      );
    const arrivals = subscribers.map(
      (s, i) => /** @type {{ at: number, available: number, ok: boolean }} */ (mine(s, i)),
    );
    const incomplete = arrivals.filter((a) => !a.ok).length;
    if (incomplete > 0)
      throw new Error(`${mode}: round ${round}: ${incomplete} subscribers received errors or no name`);
    const latencies = arrivals.map((a) => a.at - sentAt).sort((a, b) => a - b);
    rounds.push({
      mutationMs,
      firstMs: latencies[0] ?? NaN,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      lastMs: latencies.at(-1) ?? NaN,
    });
    log(
      `${mode}: round ${round + 1}/${ROUNDS}: last delivery ${rounds.at(-1)?.lastMs.toFixed(1)} ms after the mutation was sent`,
    );
  }
  const rssAfter = rssMiB(pid);
  const upstreamsAfter = await metric(url, 'gateway_subscription_upstreams_active');
  const heapAfter = await heapUsedMiB(url);

  closing = true;
  await Promise.allSettled(clients.map((c) => c.dispose()));
  await gateway.stop(5_000);
  const median = (/** @type {'mutationMs' | 'firstMs' | 'p50Ms' | 'p99Ms' | 'lastMs'} */ key) =>
    quantile(
      rounds.map((r) => r[key]).sort((a, b) => a - b),
      0.5,
    );
  return {
    mode,
    subscribers: SUBSCRIBERS,
    upstreamSubscriptions: upstreams,
    upstreamSubscriptionsAfterRounds: upstreamsAfter,
    rounds,
    median: {
      mutationMs: median('mutationMs'),
      firstMs: median('firstMs'),
      p50Ms: median('p50Ms'),
      p99Ms: median('p99Ms'),
      lastMs: median('lastMs'),
    },
    gatewayRssMiB: {
      before: rssBefore,
      subscribed: rssSubscribed,
      after: rssAfter,
      up: Math.max(rssSubscribed, rssAfter) - rssBefore,
    },
    gatewayHeapUsedMiB: {
      before: heapBefore,
      subscribed: heapSubscribed,
      after: heapAfter,
      perSubscriberKiB: ((heapSubscribed - heapBefore) * 1024) / SUBSCRIBERS,
    },
  };
}

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must point at a Postgres server (a fresh database is created on it)');
  for (const name of SUBGRAPHS) readFileSync(join(ROOT, 'subgraphs', name, 'dist', 'index.js'));
  readFileSync(join(ROOT, 'gateway', 'dist', 'main.js'));

  const database = `terrarium_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, `create database "${database}"`);
  cleanups.push(() => admin(serverUrl, `drop database if exists "${database}" with (force)`));
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;
  log(
    `database ${database}${process.env.REDIS_URL ? ', Redis ' + process.env.REDIS_URL : ', no Redis (in-process pub/sub)'}`,
  );

  /** @type {Record<string, string>} */
  const urls = {};
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    JWT_PRIVATE_KEY: await exportPKCS8(SIGNING_KEY),
    DATABASE_URL: databaseUrl.toString(),
    INTERNAL_SECRET: randomBytes(32).toString('hex'),
    SEED_DEMO: 'true',
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  };
  /** @type {Record<string, string>} */
  const ports = {};
  for (const name of SUBGRAPHS) {
    ports[name] = String(await freePort());
    urls[name] = `http://127.0.0.1:${ports[name]}/graphql`;
    env[`${name.toUpperCase()}_URL`] = urls[name];
  }
  const started = Date.now();
  await Promise.all(
    SUBGRAPHS.map((name) => {
      const proc = startNode(name, subgraphMain(name), [], { ...env, PORT: ports[name] });
      processes.push(proc);
      return waitForHealth(`http://127.0.0.1:${ports[name]}/health`, HEALTH_TIMEOUT_MS, proc.alive);
    }),
  );
  log(`${SUBGRAPHS.join(', ')} up and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const composition = composeServices(
    SUBGRAPHS.map((name) => ({
      name,
      url: urls[name] ?? '',
      typeDefs: graphql.parse(readFileSync(join(ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
    })),
  );
  if (composition.errors)
    throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-bench-subscriptions-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composition.supergraphSdl);

  const results = [];
  for (const mode of MODES) results.push(await runMode({ mode, env, supergraphPath }));

  printTable(results);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    redis: Boolean(process.env.REDIS_URL),
    operation:
      'StockLive (inventory) + name (products) + averageRating (community), triggered by AdjustStock',
    results,
  };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `subscriptions-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`written ${file}`);
}

/** @param {Awaited<ReturnType<typeof runMode>>[]} results */
function printTable(results) {
  const rows = [
    [
      'mode',
      'subscribers',
      'upstream subs',
      'mutation ms',
      'first ms',
      'p50 ms',
      'p99 ms',
      'last ms',
      'RSS before/subscribed/after MiB',
      'RSS up MiB',
      'heap before/subscribed/after MiB',
      'heap KiB/subscriber',
    ],
  ];
  for (const r of results) {
    const m = r.median;
    const rss = r.gatewayRssMiB;
    const heap = r.gatewayHeapUsedMiB;
    const triple = (/** @type {{ before: number, subscribed: number, after: number }} */ t) =>
      `${t.before.toFixed(0)} / ${t.subscribed.toFixed(0)} / ${t.after.toFixed(0)}`;
    rows.push([
      r.mode,
      String(r.subscribers),
      String(r.upstreamSubscriptions),
      m.mutationMs.toFixed(1),
      m.firstMs.toFixed(1),
      m.p50Ms.toFixed(1),
      m.p99Ms.toFixed(1),
      m.lastMs.toFixed(1),
      triple(rss),
      rss.up.toFixed(0),
      triple(heap),
      heap.perSubscriberKiB.toFixed(1),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  process.stdout.write(
    `\nSubscription fan-out: latency from sending AdjustStock to delivery (median of ${ROUNDS} rounds)\n`,
  );
  for (const [index, row] of rows.entries()) {
    process.stdout.write(
      `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}\n`,
    );
    if (index === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
}

await runBench(main, { log, disposers, processes, cleanups });
