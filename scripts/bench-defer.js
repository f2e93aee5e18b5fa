// @ts-check
/**
 * `npm run bench:defer` (and part of `npm run bench`): the contract's ProductPage with its reviews
 * deferred (`averageRating`, `reviewCount` and `reviews` in `... @defer(label: "reviews")`), as
 * Apollo Client asks for it (`accept: multipart/mixed;deferSpec=20220824`), through the gateway
 * over the seeded platform: time to the first part (the product) against time to the whole
 * answer, p50 and p99, beside the same page without @defer.
 *
 *  - needs DATABASE_URL (a Postgres server): a fresh database is created, seeded (SEED_DEMO=true)
 *    by the six subgraphs, and dropped at the end; REDIS_URL is used when set;
 *  - load: a closed loop of N concurrent clients for D seconds (scripts/lib/load.js), each
 *    alternating the deferred page and the page without @defer; a deferred request's body is
 *    read as it streams, the first part timed when its closing boundary arrives, the whole when
 *    the body ends (and every part is checked);
 *  - prints a table and writes bench/results/defer-<date>.json.
 *
 * Options: --connections N (default 10), --duration S (default 10), --warmup S (default 2), or
 * BENCH_CONNECTIONS / BENCH_DURATION_S / BENCH_WARMUP_S; --platform-warmup S (default 30, or
 * BENCH_PLATFORM_WARMUP_S): both pages through the fresh platform first, unmeasured, as in bench.js;
 * --gateway <main.js> runs another build.
 */
import { cpus, loadavg } from 'node:os';
import { Pool } from 'undici';
import { runLoad } from './lib/load.js';
import {
  contractOperation,
  createBenchDatabase,
  readLoadOptions,
  readPlatformWarmupS,
  runBench,
  startBenchPlatform,
  warmPlatform,
  writeBenchReport,
} from './lib/bench-setup.js';

const log = (/** @type {string} */ message) => process.stdout.write(`[bench-defer] ${message}\n`);

const {
  connections: CONNECTIONS,
  durationS: DURATION_S,
  warmupS: WARMUP_S,
  values: flags,
} = readLoadOptions({ gateway: { type: 'string' }, 'platform-warmup': { type: 'string' } });
const GATEWAY_MAIN = flags.gateway ?? 'gateway/dist/main.js';
const VARIABLES = { slug: 'ceramic-heat-emitter-100w' };
const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json';
/** The boundary Apollo Server's multipart writer puts after each part (`boundary="-"`). */
const DELIMITER = '\r\n---';

/** @type {{ stop: (graceMs?: number) => Promise<void>, child: import('node:child_process').ChildProcess }[]} */
const processes = [];
/** @type {(() => Promise<void>)[]} */
const cleanups = [];
/** @type {(() => Promise<void>)[]} */
const disposers = [];

/**
 * ProductPage with its community fields (rating, count, reviews and their authors) deferred.
 * @param {string} query the contract's ProductPage
 */
function deferReviews(query) {
  const start = query.indexOf('averageRating');
  const reviews = query.indexOf('reviews(first:');
  if (start === -1 || reviews === -1)
    throw new Error('ProductPage no longer selects averageRating and reviews');
  // The reviews selection ends where its braces balance.
  let depth = 0;
  let end = query.indexOf('{', reviews);
  for (; end < query.length; end += 1) {
    if (query[end] === '{') depth += 1;
    if (query[end] === '}' && --depth === 0) break;
  }
  return `${query.slice(0, start)}... @defer(label: "reviews") { ${query.slice(start, end + 1)} }${query.slice(end + 1)}`;
}

/**
 * @param {number[]} sorted
 * @param {number} q
 */
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL (a Postgres server) is required');
  const database = await createBenchDatabase(process.env.DATABASE_URL, 'terrarium_bench_defer');
  cleanups.push(database.drop);
  log(`database ${database.name}`);
  const { gatewayUrl } = await startBenchPlatform({
    databaseUrl: database.url,
    gatewayMain: GATEWAY_MAIN,
    // What deferring saves is subgraph time; a warm entity cache would answer both pages at once.
    gatewayEnv: { ENTITY_CACHE: 'false' },
    processes,
    cleanups,
    log,
  });

  const page = contractOperation('storefront', 'ProductPage');
  const deferred = JSON.stringify({ query: deferReviews(page), variables: VARIABLES });
  const whole = JSON.stringify({ query: page, variables: VARIABLES });
  const { origin, pathname } = new URL(gatewayUrl);
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
  disposers.push(() => pool.close());

  /** Latencies of the measured run (null during the warm-up), in ms. */
  /** @type {{ first: number[], deferred: number[], whole: number[] } | null} */
  let samples = null;
  /** One deferred request: false unless it streamed well-formed parts ending with hasNext false. */
  const sendDeferred = async () => {
    const t0 = performance.now();
    const response = await pool.request({
      method: 'POST',
      path: pathname,
      headers: { 'content-type': 'application/json', accept: ACCEPT_DEFER },
      body: deferred,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return false;
    }
    let text = '';
    let first = NaN;
    for await (const chunk of response.body) {
      text += chunk.toString('utf8');
      // The first part is complete once the boundary after it (the second in the body) arrives.
      if (Number.isNaN(first) && text.indexOf(DELIMITER, text.indexOf(DELIMITER) + 1) !== -1)
        first = performance.now() - t0;
    }
    samples?.first.push(first);
    samples?.deferred.push(performance.now() - t0);
    const parts = text
      .split(DELIMITER)
      .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4))
      .filter((part) => part.startsWith('{'))
      .map((part) => JSON.parse(part));
    return (
      parts.length >= 2 &&
      parts[0].hasNext === true &&
      parts.at(-1).hasNext === false &&
      !parts.some((part) => part.errors || part.incremental?.some((/** @type {any} */ item) => item.errors))
    );
  };
  const sendWhole = async () => {
    const t0 = performance.now();
    const response = await pool.request({
      method: 'POST',
      path: pathname,
      headers: { 'content-type': 'application/json' },
      body: whole,
    });
    const json = /** @type {any} */ (await response.body.json());
    samples?.whole.push(performance.now() - t0);
    return response.statusCode === 200 && !json.errors && Boolean(json.data?.product);
  };

  if (!(await sendDeferred()))
    throw new Error('the deferred ProductPage did not answer in well-formed parts');
  if (!(await sendWhole())) throw new Error('ProductPage failed');

  /** Which page each client sends next (1: deferred), alternating. */
  const turns = Array.from({ length: CONNECTIONS }, (_, worker) => worker % 2);
  const sendNext = (/** @type {number} */ worker) =>
    (turns[worker] = 1 - (turns[worker] ?? 0)) === 1 ? sendDeferred() : sendWhole();
  await warmPlatform({
    seconds: readPlatformWarmupS(flags['platform-warmup']),
    connections: CONNECTIONS,
    what: 'both pages',
    log,
    task: sendNext,
  });

  // Both kinds in one run (each client alternates), so both see the same machine: on a shared
  // 2-core host, two runs one after the other compare the neighbours' load as much as anything.
  log(
    `ProductPage with its reviews deferred and without @defer, alternating: ${CONNECTIONS} connections, ${DURATION_S} s`,
  );
  const measured = await runLoad({
    concurrency: CONNECTIONS,
    durationMs: DURATION_S * 1000,
    warmupMs: WARMUP_S * 1000,
    task: sendNext,
    onMeasureStart: () => (samples = { first: [], deferred: [], whole: [] }),
  });
  const stats = (/** @type {number[]} */ values) => {
    const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
    return { count: sorted.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
  };
  const first = stats(samples?.first ?? []);
  const deferredWhole = stats(samples?.deferred ?? []);
  const plain = stats(samples?.whole ?? []);

  const row = (/** @type {string[]} */ cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(34) : cell.padStart(12))).join('');
  const ms = (/** @type {number} */ value) => (Number.isFinite(value) ? value.toFixed(1) : '-');
  const rps = (/** @type {number} */ count) => (count / measured.durationS).toFixed(0);
  const lines = [
    row(['operation', 'req/s', 'first p50', 'first p99', 'whole p50', 'whole p99']),
    row([
      'ProductPage, reviews deferred',
      rps(deferredWhole.count),
      ms(first.p50Ms),
      ms(first.p99Ms),
      ms(deferredWhole.p50Ms),
      ms(deferredWhole.p99Ms),
    ]),
    row(['ProductPage (no @defer)', rps(plain.count), '-', '-', ms(plain.p50Ms), ms(plain.p99Ms)]),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  process.stdout.write(
    `\nfirst part / whole answer, p50: ${(first.p50Ms / deferredWhole.p50Ms).toFixed(2)}; errors: ${measured.errors} of ${measured.requests} (ms, ${CONNECTIONS} connections, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)})\n\n`,
  );
  const file = writeBenchReport('defer-', {
    date: new Date().toISOString(),
    connections: CONNECTIONS,
    durationS: DURATION_S,
    gateway: GATEWAY_MAIN,
    errors: measured.errors,
    deferred: { ...deferredWhole, firstPartP50Ms: first.p50Ms, firstPartP99Ms: first.p99Ms },
    whole: plain,
  });
  log(`report: ${file}`);
}

await runBench(main, { log, disposers, processes, cleanups });
