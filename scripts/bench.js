// @ts-check
/**
 * `npm run bench`: throughput and latency of the contract's ProductPage and SearchProducts
 * through the gateway, against the same query plans' subgraph fetches sent straight to the
 * subgraphs (the gateway's own overhead), and through a second gateway with the entity cache:
 *
 *  - cold: the gateway with ENTITY_CACHE=false, every request reaches the subgraphs;
 *  - warm: a gateway with the entity cache (in Redis when REDIS_URL is set), after the warm-up;
 *  - writes 1/50: the warm gateway while one request in 50 is a write to the page's product,
 *    in turn staff's AdjustStock (+1) and a review's rating lowered by one (UpdateReview, on
 *    reviews the bench posted at 5 stars, while any can still go lower), so that both the stock
 *    and the average rating only ever move one way; every read is checked against the writes that
 *    finished more than 1 s before it started (`stale`: an answer showing less stock, or a higher
 *    average rating, than such a write left). SearchProducts' ratings come from products' read
 *    model (@provides), so this is also the read model's freshness.
 *
 *  - needs DATABASE_URL (a Postgres server): a fresh database is created, seeded (SEED_DEMO=true)
 *    by the six subgraphs, and dropped at the end; REDIS_URL is used when set;
 *  - starts the built subgraphs and the gateway as child processes on free ports, with a
 *    supergraph composed for those ports (written to a temporary file);
 *  - records each operation's query plan and the exact subgraph requests the gateway sends for it
 *    (an in-process Apollo Gateway on the same supergraph), then replays those requests directly,
 *    in the plan's order (Sequence one after another, Parallel at once);
 *  - load: a closed loop of N concurrent workers for D seconds (scripts/lib/load.js), gateway CPU
 *    time per request read from /proc;
 *  - prints a table and writes bench/results/<date>.json.
 *
 * Options: --connections N (default 10), --duration S (default 10), --warmup S (default 2),
 * or BENCH_CONNECTIONS / BENCH_DURATION_S / BENCH_WARMUP_S; --platform-warmup S (default 30, or
 * BENCH_PLATFORM_WARMUP_S): both operations through the cold gateway before the first row, on
 * each platform; --gateway <main.js> runs another
 * build of the gateway (default gateway/dist/main.js), e.g. to compare two commits;
 * --baseline <dir> also runs another checkout's whole platform (its subgraphs, gateway and
 * schemas, installed and built there, in a database and a Redis database number of its own),
 * alone, twice: before this one starts and after it stopped, each pass the cold rows (--rounds N
 * each, default 3, also this build's), then prints the baseline's median round of both passes and
 * this build's, and this build's cold req/s as a multiple of the baseline's: the old
 * build against the new one in one run, e.g.
 *   git worktree add /tmp/terrarium-old <commit> && (cd /tmp/terrarium-old && npm ci && npm run build)
 *   node scripts/bench.js --baseline /tmp/terrarium-old
 * --dedupe keeps
 * the gateway's sharing of identical in-flight subgraph fetches on. It is off by default: the
 * load sends one query from one caller over and over, which sharing would collapse into a few
 * subgraph fetches, while the direct path sends every fetch, so the comparison would not be the
 * gateway's overhead.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createJsonPoster, runLoad } from './lib/load.js';
import { cpuMs } from './lib/cpu.js';
import { recordPlans, replay } from './lib/plans.js';
import { ROOT, SUBGRAPHS } from './lib/processes.js';
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

const log = (/** @type {string} */ message) => process.stdout.write(`[bench] ${message}\n`);

const {
  connections: CONNECTIONS,
  durationS: DURATION_S,
  warmupS: WARMUP_S,
  values: flags,
} = readLoadOptions({
  gateway: { type: 'string' },
  dedupe: { type: 'boolean' },
  baseline: { type: 'string' },
  rounds: { type: 'string' },
  'platform-warmup': { type: 'string' },
});
const GATEWAY_MAIN = flags.gateway ?? 'gateway/dist/main.js';
/** Another checkout, installed and built, whose whole platform runs the cold rows first (old vs new). */
const BASELINE = flags.baseline ? resolve(flags.baseline) : null;
const DEDUPE = flags.dedupe ?? false;
/** Cold rows per operation: this build's, and the baseline's in each of its two passes; each side reports its median. @default 3 with --baseline, else 1 */
const ROUNDS = Math.max(1, Math.trunc(Number(flags.rounds ?? (BASELINE ? 3 : 1))));
/** Seconds of every operation through the cold gateway before the first row, on each platform (`warmPlatform`). */
const PLATFORM_WARMUP_S = readPlatformWarmupS(flags['platform-warmup']);

/** The product the write mix adjusts (ProductPage shows it; SearchProducts when it is on the first page). */
const WRITE_SLUG = 'ceramic-heat-emitter-100w';
/** One request in this many is a write in the write mix. */
const WRITE_EVERY = 50;
/** A read must reflect every write that finished this long before it started. */
const STALE_AFTER_MS = 1_000;
/**
 * Reviews the bench posts (one per new user, 5 stars) before the write mixes; each can be lowered
 * 4 times (5 to 1), so the mixes have 4x this many rating writes for both operations.
 */
const REVIEWERS = 24;

/** The measured operations: contract documents with the storefront's usual variables. */
const OPERATIONS = [
  { name: 'ProductPage', variables: { slug: 'ceramic-heat-emitter-100w' } },
  { name: 'SearchProducts', variables: { first: 20 } },
];

/** @type {{ stop: (graceMs?: number) => Promise<void>, child: import('node:child_process').ChildProcess }[]} */
const processes = [];
/** @type {(() => Promise<void>)[]} */
const cleanups = [];

/** utime + stime of a process, in ms. */
async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must point at a Postgres server (a fresh database is created on it)');
  for (const [name] of SUBGRAPHS) readFileSync(join(ROOT, 'subgraphs', name, 'dist', 'main.js'));
  readFileSync(resolve(ROOT, GATEWAY_MAIN));

  // The baseline's platform runs alone, before this one starts and again after it stopped: the
  // two passes bracket this build's rows in time. (Side by side, one idle while the other was
  // measured, this build's ProductPage fell from 184 to 75 req/s, the idle baseline spending twice
  // the CPU this one spends idle: no fair comparison.)
  const baseline = BASELINE ? await createBaseline(serverUrl, BASELINE) : null;
  const baselineBefore = baseline ? await baseline.pass('before') : null;

  const database = await createBenchDatabase(serverUrl, 'terrarium_bench');
  cleanups.push(database.drop);
  log(
    `database ${database.name}${process.env.REDIS_URL ? ', Redis ' + process.env.REDIS_URL : ', no Redis (in-memory caches)'}; gateway ${GATEWAY_MAIN}${DEDUPE ? ' (fetch sharing on)' : ''}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const { urls, secret, supergraphSdl, gateway, gatewayUrl, startGateway } = await startBenchPlatform({
    databaseUrl: database.url,
    gatewayMain: GATEWAY_MAIN,
    gatewayEnv: { DEDUPE_SUBGRAPH_FETCHES: String(DEDUPE), ENTITY_CACHE: 'false' },
    processes,
    cleanups,
    log,
  });
  const gatewayPid = gateway.child.pid;
  if (!gatewayPid) throw new Error('gateway has no pid');
  const subgraphPids = new Map(
    processes
      .filter((proc) => proc.label !== 'gateway' && proc.child.pid)
      .map((proc) => [proc.label, proc.child.pid ?? 0]),
  );
  const cached = await startGateway({ ENTITY_CACHE: 'true' });
  const cachedPid = cached.gateway.child.pid;
  if (!cachedPid) throw new Error('gateway has no pid');

  const token = await signCaller(ANONYMOUS, secret);
  const operations = OPERATIONS.map((op) => ({ ...op, query: contractOperation('storefront', op.name) }));
  const recorded = await recordPlans(supergraphSdl, token, operations);

  const gatewayPoster = createJsonPoster(gatewayUrl, CONNECTIONS);
  const cachedPoster = createJsonPoster(cached.gatewayUrl, CONNECTIONS);
  cleanups.push(() => cachedPoster.close());
  const writes = await prepareWrites(cachedPoster);
  /** @type {Record<string, ReturnType<typeof createJsonPoster>>} */
  const direct = Object.fromEntries(
    SUBGRAPHS.map(([name]) => [name, createJsonPoster(urls[name], CONNECTIONS)]),
  );
  cleanups.push(async () => {
    await Promise.all([gatewayPoster.close(), ...Object.values(direct).map((p) => p.close())]);
  });

  await warmGateway(gatewayPoster);
  /**
   * This build's cold row (no entity cache) for one operation: req/s, latencies, and the CPU the
   * gateway and each subgraph spent per page.
   * @param {string} name
   * @param {string} body
   */
  const measureCold = async (name, body) => {
    log(`${name}: gateway, ${CONNECTIONS} connections, ${DURATION_S} s`);
    const { cpuMsPerRequest, ...row } = await measureRow(
      async () => (await gatewayPoster.post(body)).ok,
      new Map([['gateway', gatewayPid], ...subgraphPids]),
    );
    const { gateway: gatewayCpuMsPerRequest = NaN, ...subgraphCpuMsPerRequest } = cpuMsPerRequest;
    log(`${name}: subgraph CPU ms per page ${JSON.stringify(subgraphCpuMsPerRequest)}`);
    return { ...row, gatewayCpuMsPerRequest, subgraphCpuMsPerRequest };
  };

  // This build's cold rows, ROUNDS per operation (the median round reported), before its other rows.
  /** @type {Map<string, { ours: Awaited<ReturnType<typeof measureCold>>, rounds: number[] }>} */
  const coldRows = new Map();
  for (const operation of recorded) {
    const body = operationBody(operation);
    const check = await gatewayPoster.post(body);
    if (!check.ok)
      throw new Error(
        `${operation.name} through the gateway failed: ${JSON.stringify(check.json?.errors ?? check.status)}`,
      );
    const ours = [];
    for (let round = 1; round <= ROUNDS; round += 1) ours.push(await measureCold(operation.name, body));
    coldRows.set(operation.name, { ours: medianRow(ours), rounds: ours.map((row) => row.rps) });
  }

  const results = [];
  for (const operation of recorded) {
    const body = operationBody(operation);
    const cold = coldRows.get(operation.name);
    if (!cold) throw new Error(`${operation.name}: no cold row`);
    const viaGateway = cold.ours;

    log(`${operation.name}: gateway with the entity cache, ${CONNECTIONS} connections, ${DURATION_S} s`);
    const { cpuMsPerRequest: warmCpu, ...warm } = await measureRow(
      async () => (await cachedPoster.post(body)).ok,
      new Map([['gateway', cachedPid]]),
    );
    const warmCpuPerRequest = warmCpu['gateway'] ?? NaN;

    log(
      `${operation.name}: entity cache under writes (1 AdjustStock or rating change per ${WRITE_EVERY} requests)`,
    );
    const staleness = {
      checked: 0,
      stale: 0,
      writes: 0,
      stockWrites: 0,
      ratingWrites: 0,
      ratingChecked: 0,
      ratingStale: 0,
    };
    let sent = 0;
    const writeMix = await runLoad({
      concurrency: CONNECTIONS,
      durationMs: DURATION_S * 1000,
      task: async () => {
        sent += 1;
        if (sent % WRITE_EVERY === 0 && !writes.inflight) {
          staleness.writes += 1;
          const kind = writes.next();
          staleness[kind === 'stock' ? 'stockWrites' : 'ratingWrites'] += 1;
          return kind === 'stock' ? writes.adjust() : writes.lowerRating();
        }
        const required = writes.requiredAt(Date.now() - STALE_AFTER_MS);
        const response = await cachedPoster.post(body);
        const shown = writes.shown(response.json?.data);
        if (shown.available !== null && required.available !== null) {
          staleness.checked += 1;
          if (shown.available < required.available) staleness.stale += 1;
        }
        if (shown.averageRating !== null && required.averageRating !== null) {
          staleness.ratingChecked += 1;
          // Averages are rounded to 2 decimals; a lowered rating always moves it by more than that.
          if (shown.averageRating > required.averageRating) staleness.ratingStale += 1;
        }
        return response.ok;
      },
    });

    const byFetch = new Map();
    for (const fetch of operation.fetches) {
      const key = `${fetch.serviceName}\n${JSON.parse(fetch.body).query}`;
      byFetch.set(key, [...(byFetch.get(key) ?? []), fetch]);
    }
    // Caller tokens live 60 s: the runs before this one may have outlived the first.
    const directToken = await signCaller(ANONYMOUS, secret);
    const send = async (/** @type {RecordedFetch} */ fetch) => {
      const poster = direct[fetch.serviceName];
      if (!poster) throw new Error(`unknown subgraph ${fetch.serviceName}`);
      return (await poster.post(fetch.body, { [CALLER_HEADER]: directToken })).ok;
    };
    if (!(await replay(operation.plan, byFetch, send)))
      throw new Error(`${operation.name}: a direct subgraph fetch failed`);
    log(
      `${operation.name}: direct to subgraphs (${operation.fetches.length} fetches: ${operation.fetches.map((f) => f.serviceName).join(', ')})`,
    );
    // The same fetches sent without the gateway: what a page costs the subgraphs on their own.
    const { cpuMsPerRequest: directSubgraphCpuMsPerRequest, ...viaSubgraphs } = await measureRow(
      () => replay(operation.plan, byFetch, send),
      subgraphPids,
    );
    log(
      `${operation.name}: subgraph CPU ms per page, direct ${JSON.stringify(directSubgraphCpuMsPerRequest)}`,
    );

    results.push({
      /** @type {BaselineRow | undefined} */
      baseline: undefined,
      /** @type {{ ours: number[], baselineBefore: number[], baselineAfter: number[] }} */
      coldRounds: { ours: cold.rounds, baselineBefore: [], baselineAfter: [] },
      operation: operation.name,
      variables: operation.variables,
      responseBytes: operation.responseBytes,
      subgraphFetches: operation.fetches.map((f) => f.serviceName),
      gateway: viaGateway,
      warm,
      writeMix: { ...writeMix, ...staleness },
      direct: viaSubgraphs,
      gatewayCpuMsPerRequest: viaGateway.gatewayCpuMsPerRequest,
      subgraphCpuMsPerRequest: viaGateway.subgraphCpuMsPerRequest,
      directSubgraphCpuMsPerRequest,
      warmGatewayCpuMsPerRequest: warmCpuPerRequest,
      overhead: {
        p50Ms: viaGateway.p50Ms - viaSubgraphs.p50Ms,
        p99Ms: viaGateway.p99Ms - viaSubgraphs.p99Ms,
        throughputRatio: viaGateway.rps / viaSubgraphs.rps,
      },
    });
  }

  if (baseline && baselineBefore) {
    log('this platform stops; the baseline runs its second pass');
    for (const proc of processes.splice(0).reverse()) await proc.stop();
    const baselineAfter = await baseline.pass('after');
    for (const result of results) {
      const before = baselineBefore.get(result.operation) ?? [];
      const after = baselineAfter.get(result.operation) ?? [];
      result.baseline = medianRow([...before, ...after]);
      result.coldRounds.baselineBefore = before.map((row) => row.rps);
      result.coldRounds.baselineAfter = after.map((row) => row.rps);
    }
  }
  printTable(results);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    redis: Boolean(process.env.REDIS_URL),
    gateway: GATEWAY_MAIN,
    baseline: BASELINE,
    dedupeSubgraphFetches: DEDUPE,
    loadAverage: loadavg(),
    results,
  };
  log(`written ${writeBenchReport('', report)}`);
}

/**
 * Sends every operation in turn through `poster` for PLATFORM_WARMUP_S, unchecked and unmeasured.
 * @param {ReturnType<typeof createJsonPoster>} poster
 */
async function warmGateway(poster) {
  const bodies = OPERATIONS.map(operationBody);
  let sent = 0;
  await warmPlatform({
    seconds: PLATFORM_WARMUP_S,
    connections: CONNECTIONS,
    what: `${bodies.length} operations`,
    log,
    task: async () => (await poster.post(bodies[sent++ % bodies.length] ?? '')).ok,
  });
}

/**
 * Another checkout's whole platform (its subgraphs, gateway and schemas, built there), in a
 * database of its own and, when REDIS_URL is set, the next Redis database number (the two
 * builds' cache entries must not meet: same seed ids, maybe other shapes). Each `pass` starts it
 * with a cold gateway, warms it up like this one, measures every operation's cold row ROUNDS
 * times with its processes' CPU per page, and stops it; the database is seeded once.
 * @param {string} serverUrl
 * @param {string} root
 */
async function createBaseline(serverUrl, root) {
  const commit = (() => {
    try {
      return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'not a git checkout';
    }
  })();
  log(`baseline: ${root} (${commit})`);
  const database = await createBenchDatabase(serverUrl, 'terrarium_bench_baseline');
  cleanups.push(database.drop);
  return {
    commit,
    /**
     * @param {string} label
     * @returns {Promise<Map<string, BaselineRow[]>>}
     */
    async pass(label) {
      const say = (/** @type {string} */ message) => log(`baseline (${label}): ${message}`);
      /** @type {typeof processes} */
      const own = [];
      /** @type {ReturnType<typeof createJsonPoster> | undefined} */
      let poster;
      try {
        const { gatewayUrl } = await startBenchPlatform({
          databaseUrl: database.url,
          root,
          env: process.env.REDIS_URL ? { REDIS_URL: nextRedisDatabase(process.env.REDIS_URL) } : {},
          gatewayEnv: { DEDUPE_SUBGRAPH_FETCHES: String(DEDUPE), ENTITY_CACHE: 'false' },
          processes: own,
          cleanups,
          log: say,
        });
        const client = createJsonPoster(gatewayUrl, CONNECTIONS);
        poster = client;
        await warmGateway(client);
        /** @type {Map<string, BaselineRow[]>} */
        const rows = new Map();
        for (const { name, variables } of OPERATIONS) {
          const body = operationBody({ name, variables });
          const check = await client.post(body);
          if (!check.ok)
            throw new Error(`baseline ${name} failed: ${JSON.stringify(check.json?.errors ?? check.status)}`);
          rows.set(name, []);
          for (let round = 1; round <= ROUNDS; round += 1) {
            say(`${name}: cold, ${CONNECTIONS} connections, ${DURATION_S} s`);
            const row = await measureRow(
              async () => (await client.post(body)).ok,
              new Map(own.flatMap((proc) => (proc.child.pid ? [[proc.label, proc.child.pid]] : []))),
            );
            say(
              `${name}: ${row.rps.toFixed(0)} req/s, CPU ms per page ${JSON.stringify(row.cpuMsPerRequest)}`,
            );
            rows.get(name)?.push(row);
          }
        }
        return rows;
      } finally {
        await poster?.close();
        for (const proc of own.reverse()) await proc.stop();
      }
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof runLoad>> & { cpuMsPerRequest: Record<string, number> }} BaselineRow */

/**
 * One measured load row of `task` (after the row's warm-up), with the CPU each process in `pids`
 * spent per request, by label.
 * @param {() => Promise<boolean>} task  one request; false counts as an error
 * @param {Map<string, number>} pids  label -> pid
 * @returns {Promise<BaselineRow>}
 */
async function measureRow(task, pids) {
  /** @type {Map<string, number>} */
  const cpuBefore = new Map();
  const row = await runLoad({
    concurrency: CONNECTIONS,
    durationMs: DURATION_S * 1000,
    warmupMs: WARMUP_S * 1000,
    task,
    onMeasureStart: () => {
      for (const [label, pid] of pids) cpuBefore.set(label, cpuMs(pid));
    },
  });
  const cpuMsPerRequest = Object.fromEntries(
    [...pids].map(([label, pid]) => [
      label,
      Number(((cpuMs(pid) - (cpuBefore.get(label) ?? 0)) / row.requests).toFixed(3)),
    ]),
  );
  return { ...row, cpuMsPerRequest };
}

/**
 * The same Redis server's next database number (redis://host:port/1 for redis://host:port).
 * @param {string} redisUrl
 */
function nextRedisDatabase(redisUrl) {
  const url = new URL(redisUrl);
  url.pathname = `/${Number(url.pathname.slice(1) || 0) + 1}`;
  return url.toString();
}

/**
 * The request a storefront sends for one of OPERATIONS, as JSON.
 * @param {{ name: string, variables: Record<string, unknown> }} operation
 */
function operationBody({ name, variables }) {
  return JSON.stringify({ query: contractOperation('storefront', name), variables, operationName: name });
}

/**
 * The row with the median req/s (of an even count, the lower of the middle two).
 * @template {{ rps: number }} T
 * @param {T[]} rows
 * @returns {T}
 */
function medianRow(rows) {
  const sorted = [...rows].sort((a, b) => a.rps - b.rps);
  const row = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!row) throw new Error('no rows');
  return row;
}

/**
 * The write mix's writes to its product, one at a time, and what each left: staff's AdjustStock
 * (+1), and staff lowering by one star one of REVIEWERS reviews posted here at 5 stars by new
 * users. A read that starts after `at` must show at least `requiredAt(at).available` units and at
 * most `requiredAt(at).averageRating`.
 * @param {ReturnType<typeof createJsonPoster>} poster
 */
async function prepareWrites(poster) {
  const post = async (
    /** @type {string} */ query,
    /** @type {Record<string, unknown>} */ variables,
    token = '',
  ) => {
    const response = await poster.post(
      JSON.stringify({ query, variables }),
      token ? { authorization: `Bearer ${token}` } : {},
    );
    if (!response.ok)
      throw new Error(`write mix setup failed: ${JSON.stringify(response.json?.errors ?? response.status)}`);
    return response.json.data;
  };
  const token = (
    await post(contractOperation('storefront', 'LogIn'), {
      email: 'admin@terrarium.test',
      password: 'terrarium-demo',
    })
  ).logIn.token;
  const productId = (await post(contractOperation('storefront', 'ProductPage'), { slug: WRITE_SLUG })).product
    ?.id;
  if (!productId) throw new Error('the write mix product was not found');
  const stamp = Date.now();
  /** @type {string[]} */
  const reviews = [];
  for (let i = 0; i < REVIEWERS; i += 1) {
    const user = await post(contractOperation('storefront', 'SignUp'), {
      input: {
        email: `bench-reviewer-${stamp}-${i}@example.com`,
        password: 'bench-reviewer-password',
        displayName: `Bench ${i}`,
      },
    });
    const review = await post(
      contractOperation('storefront', 'PostReview'),
      {
        input: { productId, rating: 5, body: 'Posted by the bench, lowered star by star by its write mix.' },
      },
      user.signUp.token,
    );
    reviews.push(review.postReview.id);
  }
  /** The rating writes left: each review from 4 stars down to 1, one review after another. */
  const ratings = reviews.flatMap((id) => [4, 3, 2, 1].map((rating) => ({ id, rating })));
  const adjustBody = JSON.stringify({
    query: contractOperation('admin', 'AdjustStock'),
    variables: { productId, delta: 1, reason: 'bench write mix' },
  });
  const lowerQuery = `mutation LowerRating($id: ID!, $rating: Int!) {
    updateReview(id: $id, input: { rating: $rating }) { product { id averageRating } }
  }`;
  /** @typedef {{ finishedAt: number, value: number }[]} WritesDone what each write left, in the order they finished */
  /** @type {WritesDone} */
  const stockDone = [];
  /** @type {WritesDone} */
  const ratingDone = [];
  let turn = 0;
  /** What the last write finished by `at` left, or null when none had. */
  const lastBy = (/** @type {WritesDone} */ done, /** @type {number} */ at) => {
    for (let index = done.length - 1; index >= 0; index -= 1)
      if (done[index].finishedAt <= at) return done[index].value;
    return null;
  };
  /**
   * One staff write (the mix sends one at a time): `read` picks what it left from its answer.
   * @param {string} body
   * @param {(data: any) => unknown} read
   * @param {WritesDone} done
   */
  const staffWrite = async (body, read, done) => {
    state.inflight = true;
    try {
      const response = await poster.post(body, { authorization: `Bearer ${token}` });
      const value = read(response.json?.data);
      if (typeof value === 'number') done.push({ finishedAt: Date.now(), value });
      return response.ok;
    } finally {
      state.inflight = false;
    }
  };
  const state = {
    inflight: false,
    productId,
    /** @returns {'stock' | 'rating'} the next write's kind: in turn, while ratings can go lower */
    next() {
      turn += 1;
      return turn % 2 === 0 && ratings.length > 0 ? 'rating' : 'stock';
    },
    adjust: () => staffWrite(adjustBody, (data) => data?.adjustStock?.stock?.available, stockDone),
    lowerRating() {
      const write = ratings.shift();
      if (!write) return state.adjust();
      const body = JSON.stringify({ query: lowerQuery, variables: write });
      return staffWrite(body, (data) => data?.updateReview?.product?.averageRating, ratingDone);
    },
    /** What the last writes finished by `at` left (null for a kind with none yet). */
    requiredAt(/** @type {number} */ at) {
      return { available: lastBy(stockDone, at), averageRating: lastBy(ratingDone, at) };
    },
    /**
     * The stock and rating an answer shows for the product (null where it does not show it).
     * @param {any} data
     * @returns {{ available: number | null, averageRating: number | null }}
     */
    shown(data) {
      const node =
        data?.product?.id === productId
          ? data.product
          : (data?.products?.edges ?? [])
              .map((/** @type {any} */ edge) => edge?.node)
              .find((/** @type {any} */ n) => n?.id === productId);
      return { available: node?.stock?.available ?? null, averageRating: node?.averageRating ?? null };
    },
  };
  return state;
}

/** @param {any[]} results */
function printTable(results) {
  const rows = [['operation', 'path', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'gateway CPU ms/req']];
  for (const r of results) {
    if (r.baseline)
      rows.push([
        r.operation,
        `baseline cold, median of ${r.coldRounds.baselineBefore.length + r.coldRounds.baselineAfter.length} (${r.coldRounds.baselineBefore.map((rps) => rps.toFixed(0)).join(' ')} before, ${r.coldRounds.baselineAfter.map((rps) => rps.toFixed(0)).join(' ')} after)`,
        r.baseline.rps.toFixed(0),
        r.baseline.p50Ms.toFixed(2),
        r.baseline.p99Ms.toFixed(2),
        String(r.baseline.errors),
        '',
      ]);
    rows.push([
      r.baseline ? '' : r.operation,
      r.baseline
        ? `gateway cold: x${(r.gateway.rps / r.baseline.rps).toFixed(2)} the baseline, median of ${r.coldRounds.ours.length} (${r.coldRounds.ours.map((/** @type {number} */ rps) => rps.toFixed(0)).join(' ')})`
        : 'gateway cold (ENTITY_CACHE=false)',
      r.gateway.rps.toFixed(0),
      r.gateway.p50Ms.toFixed(2),
      r.gateway.p99Ms.toFixed(2),
      String(r.gateway.errors),
      r.gatewayCpuMsPerRequest.toFixed(2),
    ]);
    rows.push([
      '',
      'gateway warm (entity cache)',
      r.warm.rps.toFixed(0),
      r.warm.p50Ms.toFixed(2),
      r.warm.p99Ms.toFixed(2),
      String(r.warm.errors),
      r.warmGatewayCpuMsPerRequest.toFixed(2),
    ]);
    rows.push([
      '',
      `warm + 1 write/${WRITE_EVERY} (${r.writeMix.stockWrites} AdjustStock, ${r.writeMix.ratingWrites} ratings; stale stock ${r.writeMix.stale}/${r.writeMix.checked}, rating ${r.writeMix.ratingStale}/${r.writeMix.ratingChecked})`,
      r.writeMix.rps.toFixed(0),
      r.writeMix.p50Ms.toFixed(2),
      r.writeMix.p99Ms.toFixed(2),
      String(r.writeMix.errors),
      '',
    ]);
    rows.push([
      '',
      `direct (${r.subgraphFetches.length} fetches)`,
      r.direct.rps.toFixed(0),
      r.direct.p50Ms.toFixed(2),
      r.direct.p99Ms.toFixed(2),
      String(r.direct.errors),
      '',
    ]);
    if (r.baseline?.cpuMsPerRequest) {
      const subgraphsCpu = (/** @type {Record<string, number>} */ byLabel) =>
        Object.entries(byLabel)
          .filter(([label]) => label !== 'gateway')
          .reduce((sum, [, ms]) => sum + ms, 0);
      const before = subgraphsCpu(r.baseline.cpuMsPerRequest);
      const after = subgraphsCpu(r.subgraphCpuMsPerRequest);
      rows.push([
        '',
        `subgraph CPU ms/page: ${before.toFixed(2)} baseline, ${after.toFixed(2)} now (x${(before / after).toFixed(2)} less)`,
        '',
        '',
        '',
        '',
        '',
      ]);
    }
    const sum = (/** @type {Record<string, number>} */ byName) =>
      Object.values(byName).reduce((total, ms) => total + ms, 0);
    rows.push([
      '',
      `subgraph CPU ms/page: ${sum(r.subgraphCpuMsPerRequest).toFixed(2)} via gateway, ${sum(r.directSubgraphCpuMsPerRequest).toFixed(2)} direct`,
      '',
      '',
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'gateway overhead',
      `x${r.overhead.throughputRatio.toFixed(2)}`,
      `+${r.overhead.p50Ms.toFixed(2)}`,
      `+${r.overhead.p99Ms.toFixed(2)}`,
      '',
      '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const [index, row] of rows.entries()) {
    process.stdout.write(
      `${row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}\n`,
    );
    if (index === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
}

await runBench(main, { log, processes, cleanups });
