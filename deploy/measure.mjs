// @ts-check
/**
 * The figures deploy/kubernetes sizes its pods from: runs `scripts/bench.js` (six subgraphs and
 * the gateway as real processes, a closed-loop load of the contract's ProductPage and
 * SearchProducts through the gateway) and samples, from /proc, every process the bench started:
 *  - RSS when idle (up, seeded, before the first load) and the peak RSS under load;
 *  - CPU time spent while the load went THROUGH THE GATEWAY, divided by the requests the gateway
 *    answered then: CPU-ms per gateway request, per process. 1,000 RPS needs
 *    cpuMsPerRequest cores (1,000 requests/s x N ms = N cores).
 *
 * Usage: DATABASE_URL=... [REDIS_URL=...] node deploy/measure.mjs [bench options, e.g. --duration 15]
 * Prints one JSON object (also the bench's own table before it).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';

const SAMPLE_MS = 250;
/** Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK). */
const TICK_MS = 10;

/** @typedef {{ label: string, idleRssKiB: number, peakRssKiB: number, loadedTicks: number, lastTicks: number | null }} Sampled */

/** Pid -> parent pid of every process, from /proc. */
function parents() {
  /** @type {Map<number, number>} */
  const map = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended between readdir and read.
    }
  }
  return map;
}

/** gateway | <subgraph>, from the command line, or null for any other process. */
function labelOf(/** @type {number} */ pid) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    if (cmdline.includes('gateway/dist/main.js')) return 'gateway';
    return /subgraphs\/([a-z-]+)\/dist\/index\.js/.exec(cmdline)?.[1] ?? null;
  } catch {
    return null;
  }
}

function read(/** @type {number} */ pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { ticks, rss };
}

const bench = spawn(process.execPath, ['scripts/bench.js', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
/** @type {Map<number, Sampled>} */
const sampled = new Map();
let phase = /** @type {'start' | 'gateway' | 'direct'} */ ('start');
let idleTaken = false;
let reportFile = '';

const sample = () => {
  const tree = parents();
  for (const [pid, ppid] of tree) {
    if (ppid !== bench.pid || sampled.has(pid)) continue;
    const label = labelOf(pid);
    if (label) sampled.set(pid, { label, idleRssKiB: 0, peakRssKiB: 0, loadedTicks: 0, lastTicks: null });
  }
  for (const [pid, s] of sampled) {
    try {
      const { ticks, rss } = read(pid);
      s.peakRssKiB = Math.max(s.peakRssKiB, rss);
      if (phase === 'gateway' && s.lastTicks !== null) s.loadedTicks += ticks - s.lastTicks;
      s.lastTicks = ticks;
    } catch {
      // Exited (end of the bench).
    }
  }
};
const timer = setInterval(sample, SAMPLE_MS);

for await (const line of createInterface({ input: bench.stdout })) {
  process.stdout.write(`${line}\n`);
  if (/: gateway, \d+ connections/.test(line)) {
    sample();
    if (!idleTaken) {
      for (const [pid, s] of sampled) s.idleRssKiB = read(pid).rss;
      idleTaken = true;
    }
    phase = 'gateway';
  } else if (/: direct to subgraphs/.test(line) || /written /.test(line)) {
    sample();
    phase = 'direct';
  }
  reportFile = /written (\S+)/.exec(line)?.[1] ?? reportFile;
}
clearInterval(timer);
const mib = (/** @type {number} */ kib) => Math.round(kib / 1024);
if (!reportFile) {
  // The bench failed (an overloaded machine times out): memory figures still hold, CPU per request cannot be known.
  console.log(
    JSON.stringify(
      {
        benchFailed: true,
        processes: [...sampled.values()].map((s) => ({
          process: s.label,
          idleRssMiB: mib(s.idleRssKiB),
          peakRssMiB: mib(s.peakRssKiB),
        })),
      },
      null,
      2,
    ),
  );
  process.exit(1);
}

const report = JSON.parse(readFileSync(reportFile, 'utf8'));
// Every request through the gateway in the loaded phases, warm-up included (the CPU samples
// cover it too); warm-up requests are not in the report, so estimate them at the measured rate.
/** @type {{ gateway: { requests: number, rps: number } }[]} */
const results = report.results;
const warmupS = Number(report.warmupS ?? 2);
const requests = results.reduce((sum, r) => sum + r.gateway.requests + r.gateway.rps * warmupS, 0);
const processes = [...sampled.values()].map((s) => ({
  process: s.label,
  idleRssMiB: mib(s.idleRssKiB),
  peakRssMiB: mib(s.peakRssKiB),
  cpuMsPerGatewayRequest: Number(((s.loadedTicks * TICK_MS) / requests).toFixed(3)),
}));
console.log(
  JSON.stringify(
    {
      operations: results.map((r) => ({
        operation: /** @type {{ operation: string }} */ (/** @type {unknown} */ (r)).operation,
        rps: Math.round(r.gateway.rps),
        requests: r.gateway.requests,
      })),
      gatewayRequestsSampled: Math.round(requests),
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(1))),
      processes,
    },
    null,
    2,
  ),
);
