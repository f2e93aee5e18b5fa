// @ts-check
/**
 * `npm run bench:subgraphs`: where a cold page's cost is, one subgraph fetch at a time. The
 * contract's ProductPage and SearchProducts are run once through an in-process Apollo Gateway to
 * record the exact requests their plans send to each subgraph; then each recorded fetch is sent
 * straight to its subgraph, alone, by N concurrent clients for D seconds:
 * requests/s, p50, and the CPU time spent per fetch by the subgraph's process and by the
 * database's backends serving it (both read from /proc, so Postgres must run on this machine).
 *
 *  - needs DATABASE_URL (a Postgres server): a fresh database is created, seeded (SEED_DEMO=true)
 *    by the six subgraphs, and dropped at the end; REDIS_URL is used when set;
 *  - --baseline <dir> first runs the same on another checkout's built platform (its own
 *    database, stopped before this one starts) and prints this build's CPU per fetch beside it;
 *  - prints a table and writes bench/results/subgraphs-<date>.json.
 *
 * Options: --connections N (default 4), --duration S per fetch (default 5), --warmup S (default 1),
 * or BENCH_CONNECTIONS / BENCH_DURATION_S / BENCH_WARMUP_S.
 */
import { resolve } from 'node:path';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createJsonPoster, runLoad } from './lib/load.js';
import { cpuMs, measureDatabaseCpu } from './lib/cpu.js';
import { recordPlans } from './lib/plans.js';
import {
  admin,
  contractOperation,
  createBenchDatabase,
  readLoadOptions,
  runBench,
  startBenchPlatform,
  writeBenchReport,
} from './lib/bench-setup.js';

const log = (/** @type {string} */ message) => process.stdout.write(`[bench-subgraphs] ${message}\n`);

const {
  connections: CONNECTIONS,
  durationS: DURATION_S,
  warmupS: WARMUP_S,
  values: flags,
} = readLoadOptions({ baseline: { type: 'string' } }, { connections: 4, durationS: 5, warmupS: 1 });
const BASELINE = flags.baseline ? resolve(flags.baseline) : null;

const OPERATIONS = [
  { name: 'ProductPage', variables: { slug: 'ceramic-heat-emitter-100w' } },
  { name: 'SearchProducts', variables: { first: 20 } },
];

/** @type {import('./lib/bench-setup.js').BenchProcess[]} */
const processes = [];
/** @type {(() => Promise<void>)[]} */
const cleanups = [];

/**
 * Runs every recorded fetch of OPERATIONS alone against a freshly seeded platform at `root`.
 * @param {string} serverUrl
 * @param {string | undefined} root  another checkout, or this one
 * @param {string} label
 */
async function benchPlatform(serverUrl, root, label) {
  const database = await createBenchDatabase(serverUrl, 'terrarium_bench_subgraphs');
  /** @type {typeof processes} */
  const own = [];
  try {
    const { urls, secret, supergraphSdl } = await startBenchPlatform({
      databaseUrl: database.url,
      ...(root ? { root } : {}),
      gatewayEnv: { ENTITY_CACHE: 'false' },
      processes: own,
      cleanups,
      log: (message) => log(`${label}: ${message}`),
    });
    const operations = OPERATIONS.map((op) => ({ ...op, query: contractOperation('storefront', op.name) }));
    const recorded = await recordPlans(supergraphSdl, await signCaller(ANONYMOUS, secret), operations);
    const rows = [];
    for (const operation of recorded) {
      for (const [index, fetch] of operation.fetches.entries()) {
        const proc = own.find((p) => p.label === fetch.serviceName);
        const pid = proc?.child.pid;
        if (!pid) throw new Error(`no process for ${fetch.serviceName}`);
        const poster = createJsonPoster(urls[fetch.serviceName] ?? '', CONNECTIONS);
        try {
          // A caller token lives 60 s: each fetch's run signs its own.
          const headers = { [CALLER_HEADER]: await signCaller(ANONYMOUS, secret) };
          const check = await poster.post(fetch.body, headers);
          if (!check.ok)
            throw new Error(`${operation.name} fetch ${index + 1} failed: ${JSON.stringify(check.json)}`);
          let subgraphBefore = 0;
          /** @type {string | null} */
          let firstError = null;
          const row = await runLoad({
            concurrency: CONNECTIONS,
            durationMs: DURATION_S * 1000,
            warmupMs: WARMUP_S * 1000,
            task: async () => {
              const answer = await poster.post(fetch.body, headers);
              if (!answer.ok && !firstError) firstError = JSON.stringify(answer.json ?? answer.status);
              return answer.ok;
            },
            onMeasureStart: () => {
              subgraphBefore = cpuMs(pid);
            },
          });
          const subgraphMs = cpuMs(pid) - subgraphBefore;
          // The database's share: a second, shorter run with its backends' clocks read around it
          // (the pool's connections are all open by now).
          const databaseCpu = await measureDatabaseCpu(serverUrl, database.name);
          const second = await runLoad({
            concurrency: CONNECTIONS,
            durationMs: (DURATION_S * 1000) / 2,
            task: async () => (await poster.post(fetch.body, headers)).ok,
          });
          const databaseMs = databaseCpu.spentMs();
          rows.push({
            operation: operation.name,
            fetch: `${index + 1} ${fetch.serviceName}`,
            rps: row.rps,
            p50Ms: row.p50Ms,
            errors: row.errors + second.errors,
            subgraphCpuMs: subgraphMs / row.requests,
            databaseCpuMs: databaseMs / second.requests,
          });
          log(`${label}: ${operation.name} fetch ${index + 1} (${fetch.serviceName}) done`);
          if (firstError)
            log(`${label}: ${operation.name} fetch ${index + 1} failed, e.g. ${firstError.slice(0, 500)}`);
        } finally {
          await poster.close();
        }
      }
    }
    return rows;
  } finally {
    for (const proc of own.reverse()) await proc.stop();
    await database.drop();
  }
}

/** @param {number} value */
const ms = (value) => value.toFixed(3);

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL (a Postgres server) is required');
  await admin(serverUrl, 'select 1');
  const baseline = BASELINE ? await benchPlatform(serverUrl, BASELINE, 'baseline') : null;
  const rows = await benchPlatform(serverUrl, undefined, 'this build');

  const header = ['operation', 'fetch', 'req/s', 'p50 ms', 'errors', 'subgraph CPU ms', 'db CPU ms'];
  if (baseline) header.push('baseline subgraph ms', 'baseline db ms');
  const lines = rows.map((row) => {
    const cells = [
      row.operation,
      row.fetch,
      row.rps.toFixed(0),
      row.p50Ms.toFixed(2),
      String(row.errors),
      ms(row.subgraphCpuMs),
      ms(row.databaseCpuMs),
    ];
    const old = baseline?.find((b) => b.operation === row.operation && b.fetch === row.fetch);
    if (baseline) cells.push(old ? ms(old.subgraphCpuMs) : '-', old ? ms(old.databaseCpuMs) : '-');
    return cells;
  });
  for (const name of OPERATIONS.map((op) => op.name)) {
    const sum = (/** @type {typeof rows} */ list, /** @type {'subgraphCpuMs' | 'databaseCpuMs'} */ key) =>
      list.filter((row) => row.operation === name).reduce((total, row) => total + row[key], 0);
    const cells = [
      name,
      'all fetches',
      '',
      '',
      '',
      ms(sum(rows, 'subgraphCpuMs')),
      ms(sum(rows, 'databaseCpuMs')),
    ];
    if (baseline) cells.push(ms(sum(baseline, 'subgraphCpuMs')), ms(sum(baseline, 'databaseCpuMs')));
    lines.push(cells);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((cells) => (cells[i] ?? '').length)));
  const format = (/** @type {string[]} */ cells) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write(`${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const cells of lines) process.stdout.write(`${format(cells)}\n`);
  const file = writeBenchReport('subgraphs-', {
    date: new Date().toISOString(),
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rows,
    baseline,
  });
  log(`written ${file}`);
}

await runBench(main, { log, processes, cleanups });
