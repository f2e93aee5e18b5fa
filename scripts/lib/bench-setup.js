// @ts-check
/** What the bench scripts share: a throw-away database, the contract's operations, the platform started. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import graphql from 'graphql';
import pg from 'pg';
import { freePort } from './embedded-postgres.js';
import { runLoad } from './load.js';
import { ROOT, SUBGRAPHS, startNode, subgraphMain, waitForHealth } from './processes.js';

/** Runs one statement on `url` with a connection of its own. @param {string} url @param {string} sql */
export async function admin(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates `<prefix>_<time>_<random>` on the server at `serverUrl` and returns its URL and a
 * function that drops it (with force: the bench's processes may still hold connections).
 * @param {string} serverUrl
 * @param {string} prefix
 */
export async function createBenchDatabase(serverUrl, prefix) {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin(serverUrl, `drop database if exists "${name}" with (force)`),
  };
}

/**
 * The named operation's text from the contract operations in schema/operations.
 * @param {'storefront' | 'breeder' | 'partner-embed' | 'admin'} client
 * @param {string} name
 */
export function contractOperation(client, name) {
  const source = readFileSync(join(ROOT, 'schema', 'operations', `${client}.graphql`), 'utf8');
  const found = graphql
    .parse(source)
    .definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!found?.loc) throw new Error(`operation ${name} not found in schema/operations/${client}.graphql`);
  return source.slice(found.loc.start, found.loc.end);
}

/**
 * The supergraph of the six subgraphs' schemas (subgraphs/<name>/schema.graphql) at `urls`.
 * @param {Record<string, string>} urls  each subgraph's GraphQL URL, by name
 * @param {string} [root]  the checkout whose schemas to compose (default this one)
 */
export function composeSupergraph(urls, root = ROOT) {
  const composition = composeServices(
    SUBGRAPHS.map(([name]) => ({
      name,
      url: urls[name],
      typeDefs: graphql.parse(readFileSync(join(root, 'subgraphs', name, 'schema.graphql'), 'utf8')),
    })),
  );
  if (composition.errors)
    throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  return composition.supergraphSdl;
}

/** How long a subgraph or the gateway may take to start (and seed). */
const HEALTH_TIMEOUT_MS = 120_000;

/**
 * @typedef {ReturnType<typeof startNode>} BenchProcess
 * @typedef {{ urls: Record<string, string>, env: NodeJS.ProcessEnv, secret: string, supergraphSdl: string, gateway: BenchProcess, gatewayUrl: string }} BenchPlatform
 */

/**
 * The six built subgraphs (seeded: SEED_DEMO=true) on free ports over `databaseUrl`, a supergraph
 * composed for those ports, and a gateway (`gatewayMain`) with rate limiting off, since a bench
 * is one client hammering on purpose. Started processes are pushed to `processes` (the caller
 * stops them, gateway first) and temporary files' removal to `cleanups`, so that a failure half
 * way still stops everything.
 * `root` runs another checkout's built platform (its subgraphs, gateway and schemas), e.g. the
 * baseline of `bench.js --baseline`; `gatewayMain` is relative to it. `env` goes to every process
 * (on top of this one's), `gatewayEnv` to the gateway's.
 * @param {{ databaseUrl: string, root?: string, gatewayMain?: string, env?: NodeJS.ProcessEnv, gatewayEnv?: NodeJS.ProcessEnv, processes: BenchProcess[], cleanups: (() => Promise<void>)[], log: (message: string) => void }} options
 * @returns {Promise<BenchPlatform>}
 */
export async function startBenchPlatform({
  databaseUrl,
  root = ROOT,
  gatewayMain = 'gateway/dist/main.js',
  env: platformEnv = {},
  gatewayEnv = {},
  processes,
  cleanups,
  log,
}) {
  const secret = randomBytes(32).toString('hex');
  /** @type {Record<string, string>} */
  const urls = {};
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    INTERNAL_SECRET: secret,
    SEED_DEMO: 'true',
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...platformEnv,
  };
  for (const [name] of SUBGRAPHS) {
    const port = await freePort();
    urls[name] = `http://127.0.0.1:${port}/graphql`;
    env[`${name.toUpperCase()}_URL`] = urls[name];
    env[`${name.toUpperCase()}_PORT`] = String(port);
  }

  const started = Date.now();
  await Promise.all(
    SUBGRAPHS.map(([name]) => {
      const proc = startNode(
        name,
        join(root, subgraphMain(name)),
        [],
        { ...env, PORT: env[`${name.toUpperCase()}_PORT`] },
        { cwd: root },
      );
      processes.push(proc);
      return waitForHealth(urls[name].replace('/graphql', '/health'), HEALTH_TIMEOUT_MS, proc.alive);
    }),
  );
  log(`six subgraphs up and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const supergraphSdl = composeSupergraph(urls, root);
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-bench-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphSdl);

  /** One more gateway process on the same supergraph, with `extraEnv` on top of `gatewayEnv`. */
  const startGateway = async (/** @type {NodeJS.ProcessEnv} */ extraEnv = {}) => {
    const port = await freePort();
    const proc = startNode(
      'gateway',
      resolve(root, gatewayMain),
      ['--supergraph', supergraphPath, '--port', String(port), '--host', '127.0.0.1'],
      { ...env, RATE_LIMIT_MAX: '0', ...gatewayEnv, ...extraEnv },
      { cwd: root },
    );
    processes.push(proc);
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(url.replace('/graphql', '/ready'), HEALTH_TIMEOUT_MS, proc.alive);
    return { gateway: proc, gatewayUrl: url };
  };
  const { gateway, gatewayUrl } = await startGateway();
  return { urls, env, secret, supergraphSdl, gateway, gatewayUrl, startGateway };
}

/**
 * The load options every load bench takes: --connections (default 10), --duration in s (10),
 * --warmup in s (2), or BENCH_CONNECTIONS / BENCH_DURATION_S / BENCH_WARMUP_S; plus the script's own.
 * @template {Record<string, { type: 'string' | 'boolean' }>} T
 * @param {T} own
 * @param {{ connections?: number, durationS?: number, warmupS?: number }} [defaults]  a script's own defaults
 */
export function readLoadOptions(own, defaults = {}) {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      ...own,
    },
    strict: true,
  });
  return {
    connections: Number(values.connections ?? process.env.BENCH_CONNECTIONS ?? defaults.connections ?? 10),
    durationS: Number(values.duration ?? process.env.BENCH_DURATION_S ?? defaults.durationS ?? 10),
    warmupS: Number(values.warmup ?? process.env.BENCH_WARMUP_S ?? defaults.warmupS ?? 2),
    values,
  };
}

/**
 * `--platform-warmup S`, else BENCH_PLATFORM_WARMUP_S, else 30: seconds of load on a freshly
 * started platform before anything is measured (`warmPlatform`).
 * @param {string | undefined} flag
 */
export function readPlatformWarmupS(flag) {
  return Number(flag ?? process.env.BENCH_PLATFORM_WARMUP_S ?? 30);
}

/**
 * Runs `task` in a closed loop of `connections` clients for `seconds`, unmeasured. Seven processes
 * share the cores, so V8 needs far longer than a row's own warm-up to compile their hot code:
 * without this the first row measured the compiler (ProductPage's subgraphs spent ~2.3x the CPU
 * per fetch that they spent in a later row, and a deferred ProductPage at one connection took
 * 10 ms where the warm platform answers in 6).
 * @param {{ seconds: number, connections: number, what: string, log: (message: string) => void, task: (worker: number) => Promise<boolean | void> }} options
 */
export async function warmPlatform({ seconds, connections, what, log, task }) {
  if (seconds <= 0) return;
  log(`warming the platform up: ${seconds} s of ${what}, not measured`);
  await runLoad({ concurrency: connections, durationMs: seconds * 1000, task });
}

/**
 * Runs a bench's `main` and always tears down, in order: the bench's own clients (`disposers`),
 * the processes (last started first: gateways before the subgraphs they call), then `cleanups`
 * (temporary files, the database). Exits 1 when `main` failed.
 * @param {() => Promise<void>} main
 * @param {{ log: (message: string) => void, disposers?: (() => Promise<void>)[], processes: BenchProcess[], cleanups: (() => Promise<void>)[] }} teardown
 */
export async function runBench(main, { log, disposers = [], processes, cleanups }) {
  let exitCode = 0;
  try {
    await main();
  } catch (err) {
    exitCode = 1;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    for (const dispose of disposers) await dispose().catch(() => {});
    for (const proc of processes.reverse()) await proc.stop(5_000);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
  process.exit(exitCode);
}

/**
 * Writes a bench's report as bench/results/<prefix><date>.json and returns the file.
 * @param {string} prefix
 * @param {{ date: string }} report
 */
export function writeBenchReport(prefix, report) {
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `${prefix}${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
