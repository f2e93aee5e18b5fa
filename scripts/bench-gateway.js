// @ts-check
/**
 * `npm run bench:gateway`: stock @apollo/gateway + @apollo/server (default settings) against
 * Terrarium's gateway on the benchmark's own graph (bench/gateway/).
 *
 *  - The bench subgraphs run in one process pinned to the load core, with the load generator
 *    (autocannon, in this process, also pinned there); each gateway runs alone, pinned to the
 *    gateway core, one fresh process per (round, gateway, query), in turn: A B A B ...
 *  - Before measuring, each gateway's answer is compared with stock's (data and errors).
 *  - Per gateway and query: requests/s, p50 and p99 latency, gateway CPU time per request (utime
 *    + stime from /proc/<pid>/stat over the measured window: the least noisy figure on a shared
 *    machine), peak RSS (VmHWM), subgraph requests per client request (counted at the
 *    subgraphs), and ratios to stock. Medians over rounds; every run is kept in the JSON
 *    (bench/results/gateway-<timestamp>.json) next to the table printed here.
 *
 * Options: --rounds 2 --duration 8 --warmup 3 --connections 32 --queries small,large
 *          --gateways stock,terrarium,terrarium-unshared --gateway-core 1 --load-core 0 --cpu-prof
 * `terrarium-unshared` is Terrarium's gateway with in-flight fetch sharing off
 * (DEDUPE_SUBGRAPH_FETCHES=false): what each request costs when no other request shares its fetches.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_QUERIES } from '../bench/gateway/queries.js';
import { ROOT } from './lib/processes.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    queries: { type: 'string' },
    gateways: { type: 'string', default: 'stock,terrarium,terrarium-unshared' },
    'gateway-core': { type: 'string', default: '1' },
    'load-core': { type: 'string', default: '0' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});

/** @type {Record<string, { script: string, env: Record<string, string> }>} */
const GATEWAYS = {
  stock: { script: 'bench/gateway/stock.js', env: {} },
  terrarium: { script: 'bench/gateway/terrarium.js', env: {} },
  'terrarium-unshared': {
    script: 'bench/gateway/terrarium.js',
    env: { GATEWAY_ENV: JSON.stringify({ DEDUPE_SUBGRAPH_FETCHES: 'false' }) },
  },
};
/** A gateway process gets this long to print `listening`. @default 60_000 ms */
const START_TIMEOUT_MS = 60_000;
/** After load stops, requests cut off mid-flight still reach subgraphs; counted after this pause. @default 500 ms */
const SETTLE_MS = 500;

const rounds = Number(args.rounds);
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
const gatewayNames = (args.gateways ?? '').split(',').filter(Boolean);
const queries = args.queries
  ? BENCH_QUERIES.filter((q) => args.queries?.split(',').includes(q.name))
  : BENCH_QUERIES;
for (const name of gatewayNames)
  if (!GATEWAYS[name])
    throw new Error(`unknown gateway ${name} (known: ${Object.keys(GATEWAYS).join(', ')})`);
if (queries.length === 0)
  throw new Error(`no query named ${args.queries} (known: ${BENCH_QUERIES.map((q) => q.name).join(', ')})`);

const log = (/** @type {string} */ message) => process.stderr.write(`[bench:gateway] ${message}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pinned = existsSync('/usr/bin/taskset') && cpus().length >= 2;
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

if (pinned)
  spawnSync('taskset', ['-pc', String(args['load-core']), String(process.pid)], { stdio: 'ignore' });
else log('taskset or a second core is missing: processes are not pinned, figures are noisier');

/**
 * Starts `node <argv>` pinned to `core`, resolving when it prints a line matching `ready`.
 * @param {string[]} argv
 * @param {string} core
 * @param {Record<string, string>} env
 * @param {RegExp} ready
 */
async function startPinned(argv, core, env, ready) {
  const command = pinned ? 'taskset' : process.execPath;
  const commandArgs = pinned ? ['-c', core, process.execPath, ...argv] : argv;
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${argv.join(' ')} did not start within ${START_TIMEOUT_MS} ms\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      const found = ready.exec(buffered);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (${code}) before it was ready\n${stderr}`));
    });
  });
  return {
    child,
    match: /** @type {RegExpExecArray} */ (match),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** User + system CPU time of a process so far, in ms. @param {number} pid */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Peak resident set size so far, in MB. @param {number} pid */
function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** @param {number[]} list */
function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** A response reduced to what must match stock's: data, and where the errors are. @param {string} text */
function answerOf(text) {
  /** @type {{ data?: unknown, errors?: { path?: unknown[] }[] }} */
  const body = JSON.parse(text);
  return JSON.stringify({ data: body.data, errors: (body.errors ?? []).map((e) => e.path ?? null) });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-bench-gateway-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  const subgraphs = await startPinned(
    ['bench/gateway/serve.js', supergraphPath],
    String(args['load-core']),
    {},
    /^ready (.+)$/m,
  );
  /** @type {{ name: string, url: string }[]} */
  const subgraphUrls = JSON.parse(subgraphs.match[1] ?? '[]');
  const subgraphRequests = async () => {
    let total = 0;
    for (const { url } of subgraphUrls)
      total += /** @type {{ requests: number }} */ (
        await (await fetch(url.replace(/\/graphql$/, '/stats'))).json()
      ).requests;
    return total;
  };
  /** @type {Map<string, string>} */
  const reference = new Map();
  /** @type {Record<string, unknown>[]} */
  const runs = [];
  const startedAt = new Date();
  const profileDir = join(
    ROOT,
    'bench',
    'results',
    `gateway-profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`,
  );
  log(
    `${rounds} round(s) x ${gatewayNames.join(', ')} x ${queries.map((q) => q.name).join(', ')}; ${warmup} s warm-up + ${duration} s at ${connections} connections each`,
  );

  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const query of queries) {
        for (const gatewayName of gatewayNames) {
          const gateway = /** @type {{ script: string, env: Record<string, string> }} */ (
            GATEWAYS[gatewayName]
          );
          const nodeArgs =
            args['cpu-prof'] && gatewayName !== 'stock' ? [`--cpu-prof`, `--cpu-prof-dir=${profileDir}`] : [];
          const proc = await startPinned(
            [...nodeArgs, gateway.script, supergraphPath],
            String(args['gateway-core']),
            gateway.env,
            /^listening (\S+)$/m,
          );
          const url = proc.match[1] ?? '';
          const pid = /** @type {number} */ (proc.child.pid);
          try {
            const body = JSON.stringify({ query: query.query, variables: query.variables });
            const request = {
              url,
              method: /** @type {const} */ ('POST'),
              headers: { 'content-type': 'application/json' },
              body,
              connections,
            };
            const first = await fetch(url, { method: 'POST', headers: request.headers, body });
            const text = await first.text();
            const answer = answerOf(text);
            if (!reference.has(query.name)) reference.set(query.name, answer);
            const identical = first.status === 200 && reference.get(query.name) === answer;
            if (!identical)
              log(
                `${gatewayName} answered ${query.name} differently (HTTP ${first.status}): ${text.slice(0, 300)}`,
              );

            await autocannon({ ...request, duration: warmup });
            await sleep(SETTLE_MS);
            const cpuBefore = cpuMs(pid);
            const subgraphBefore = await subgraphRequests();
            const result = await autocannon({ ...request, duration });
            const cpuAfter = cpuMs(pid);
            await sleep(SETTLE_MS);
            const subgraphAfter = await subgraphRequests();
            const completed = result.requests.total;
            const run = {
              round,
              gateway: gatewayName,
              query: query.name,
              identical,
              responseBytes: Buffer.byteLength(text),
              requests: completed,
              requestsPerSecond: completed / result.duration,
              p50Ms: result.latency.p50,
              p99Ms: result.latency.p99,
              cpuMsPerRequest: (cpuAfter - cpuBefore) / completed,
              peakRssMb: peakRssMb(pid),
              subgraphRequestsPerRequest:
                (subgraphAfter - subgraphBefore) / Math.max(1, result.requests.sent),
              failures: result.errors + result.timeouts + result.non2xx,
            };
            runs.push(run);
            log(
              `round ${round} ${query.name.padEnd(8)} ${gatewayName.padEnd(18)} ${run.requestsPerSecond.toFixed(0).padStart(5)} req/s  ` +
                `p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  ${run.cpuMsPerRequest.toFixed(2)} CPU ms/req  ` +
                `${run.subgraphRequestsPerRequest.toFixed(2)} subgraph req/req${run.failures ? `  ${run.failures} FAILED` : ''}`,
            );
          } finally {
            await proc.stop();
          }
        }
      }
    }
  } finally {
    await subgraphs.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  /** @type {Record<string, unknown>[]} */
  const summary = [];
  for (const query of queries) {
    /** @type {Record<string, number>} */
    const stock = {};
    for (const gatewayName of gatewayNames) {
      const mine = runs.filter((run) => run.gateway === gatewayName && run.query === query.name);
      /** @param {string} key */
      const med = (key) => median(mine.map((run) => /** @type {number} */ (run[key])));
      const row = {
        query: query.name,
        gateway: gatewayName,
        queryBytes: Buffer.byteLength(query.query),
        responseBytes: /** @type {number} */ (mine[0]?.['responseBytes'] ?? 0),
        planFetches: query.fetches,
        identical: mine.every((run) => run['identical'] === true),
        requestsPerSecond: med('requestsPerSecond'),
        p50Ms: med('p50Ms'),
        p99Ms: med('p99Ms'),
        cpuMsPerRequest: med('cpuMsPerRequest'),
        peakRssMb: med('peakRssMb'),
        subgraphRequestsPerRequest: med('subgraphRequestsPerRequest'),
        failures: mine.reduce((sum, run) => sum + /** @type {number} */ (run['failures']), 0),
        requestsPerSecondVsStock: NaN,
        cpuPerRequestVsStock: NaN,
      };
      if (gatewayName === 'stock')
        Object.assign(stock, { rps: row.requestsPerSecond, cpu: row.cpuMsPerRequest });
      if (stock['rps']) {
        row.requestsPerSecondVsStock = row.requestsPerSecond / stock['rps'];
        row.cpuPerRequestVsStock = /** @type {number} */ (stock['cpu']) / row.cpuMsPerRequest;
      }
      summary.push(row);
    }
  }

  const header = [
    'query',
    'gateway',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU ms/req',
    'peak RSS MB',
    'subgraph req/req',
    'req/s vs stock',
    'CPU vs stock',
    'same answer',
  ];
  const rows = summary.map((row) => {
    const r = /** @type {Record<string, number | string | boolean>} */ (row);
    const ratio = (/** @type {number} */ value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '');
    return [
      String(r['query']),
      String(r['gateway']),
      Number(r['requestsPerSecond']).toFixed(0),
      Number(r['p50Ms']).toFixed(0),
      Number(r['p99Ms']).toFixed(0),
      Number(r['cpuMsPerRequest']).toFixed(2),
      Number(r['peakRssMb']).toFixed(0),
      Number(r['subgraphRequestsPerRequest']).toFixed(2),
      r['gateway'] === 'stock' ? '1.00x' : ratio(Number(r['requestsPerSecondVsStock'])),
      r['gateway'] === 'stock' ? '1.00x' : ratio(Number(r['cpuPerRequestVsStock'])),
      r['identical'] ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (/** @type {string[]} */ cells) =>
    `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const table = [
    line(header),
    `|${widths.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');

  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `gateway-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '',
    node: process.version,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    pinned,
  };
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, machine, options: { rounds, duration, warmup, connections }, queries: queries.map(({ name, query, fetches }) => ({ name, bytes: Buffer.byteLength(query), fetches })), summary, runs }, null, 2)}\n`,
  );
  process.stdout.write(
    `\n${table}\n\nMedians of ${rounds} round(s); CPU = gateway utime+stime per completed request. Results: ${file}\n`,
  );
  if (!summary.every((row) => row.identical)) {
    process.stdout.write('Some gateway answered differently from stock: see the log above.\n');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
