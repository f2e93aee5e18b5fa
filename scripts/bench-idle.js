// @ts-check
/**
 * `node scripts/bench-idle.js`: what the platform costs doing nothing. Starts the six built
 * subgraphs (seeded) and a gateway over a fresh database, lets them settle, then reads for D
 * seconds the CPU time of each process and of the database's backends serving them (from /proc,
 * so Postgres must run on this machine). Idle cost is what every request shares the cores with:
 * job workers polling, schedules, health and cache housekeeping.
 *
 *  - needs DATABASE_URL (a Postgres server); REDIS_URL is used when set;
 *  - --root <dir> measures another checkout's built platform (old against new, one after the other);
 *  - prints CPU ms per second for each process and in all.
 *
 * Options: --duration S (default 20), --settle S (default 15).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs, measureDatabaseCpu } from './lib/cpu.js';
import { createBenchDatabase, runBench, startBenchPlatform } from './lib/bench-setup.js';

const log = (/** @type {string} */ message) => process.stdout.write(`[bench-idle] ${message}\n`);
const { values } = parseArgs({
  options: { duration: { type: 'string' }, settle: { type: 'string' }, root: { type: 'string' } },
});
const DURATION_S = Number(values.duration ?? 20);
const SETTLE_S = Number(values.settle ?? 15);
const ROOT = values.root ? resolve(values.root) : undefined;

/** @type {import('./lib/bench-setup.js').BenchProcess[]} */
const processes = [];
/** @type {(() => Promise<void>)[]} */
const cleanups = [];

/** @param {number} ms */
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL (a Postgres server) is required');
  const database = await createBenchDatabase(serverUrl, 'terrarium_bench_idle');
  cleanups.push(database.drop);
  await startBenchPlatform({
    databaseUrl: database.url,
    ...(ROOT ? { root: ROOT } : {}),
    processes,
    cleanups,
    log,
  });
  log(`settling ${SETTLE_S} s, then measuring ${DURATION_S} s`);
  await sleep(SETTLE_S * 1000);
  const databaseCpu = await measureDatabaseCpu(serverUrl, database.name);
  const before = new Map(processes.map((proc) => [proc.label, cpuMs(proc.child.pid ?? 0)]));
  await sleep(DURATION_S * 1000);
  const rows = processes.map((proc) => [
    proc.label,
    (cpuMs(proc.child.pid ?? 0) - (before.get(proc.label) ?? 0)) / DURATION_S,
  ]);
  rows.push([`database (${databaseCpu.backends} backends)`, databaseCpu.spentMs() / DURATION_S]);
  const total = rows.reduce((sum, [, value]) => sum + Number(value), 0);
  for (const [label, value] of [...rows, ['all', total]])
    process.stdout.write(`${String(label).padEnd(28)} ${Number(value).toFixed(1).padStart(7)} CPU ms/s\n`);
}

await runBench(main, { log, processes, cleanups });
