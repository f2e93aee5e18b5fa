// @ts-check
/**
 * A small closed-loop load generator (autocannon-like): `concurrency` workers each run `task`
 * back to back for `durationMs`, so at most `concurrency` requests are in flight at once. Latency
 * is measured per task; percentiles come from the sorted array of all latencies (exact, not
 * bucketed). A task that throws or returns false counts as an error and its latency is kept.
 */
import { Pool } from 'undici';

/**
 * @typedef {object} LoadResult
 * @property {number} requests   tasks completed (errors included)
 * @property {number} errors
 * @property {number} durationS  measured wall time
 * @property {number} rps        requests per second
 * @property {number} p50Ms
 * @property {number} p99Ms
 * @property {number} meanMs
 * @property {number} maxMs
 */

/**
 * @param {{ concurrency: number, durationMs: number, warmupMs?: number, task: (worker: number) => Promise<boolean | void>, onMeasureStart?: () => void }} options
 *   `onMeasureStart` runs between the warm-up and the measured run (e.g. to read a CPU counter).
 * @returns {Promise<LoadResult>}
 */
export async function runLoad({ concurrency, durationMs, warmupMs = 0, task, onMeasureStart }) {
  if (warmupMs > 0) await loop(concurrency, warmupMs, task, null);
  onMeasureStart?.();
  /** @type {number[]} */
  const latencies = [];
  const counters = { errors: 0 };
  const started = performance.now();
  await loop(concurrency, durationMs, task, { latencies, counters });
  const durationS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (/** @type {number} */ q) =>
    latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))] ?? NaN;
  const sum = latencies.reduce((total, value) => total + value, 0);
  return {
    requests: latencies.length,
    errors: counters.errors,
    durationS,
    rps: latencies.length / durationS,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: latencies.length ? sum / latencies.length : NaN,
    maxMs: latencies.at(-1) ?? NaN,
  };
}

/**
 * @param {number} concurrency
 * @param {number} durationMs
 * @param {(worker: number) => Promise<boolean | void>} task
 * @param {{ latencies: number[], counters: { errors: number } } | null} record
 */
async function loop(concurrency, durationMs, task, record) {
  const deadline = performance.now() + durationMs;
  const worker = async (/** @type {number} */ index) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let ok;
      try {
        ok = (await task(index)) !== false;
      } catch {
        ok = false;
      }
      if (record) {
        record.latencies.push(performance.now() - t0);
        if (!ok) record.counters.errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
}

/**
 * A keep-alive pool to one origin and a helper POSTing JSON to `path` on it. The body is read
 * whole (as a client would) and parsed; a non-2xx status or a GraphQL `errors` array is a failure.
 * @param {string} url  e.g. http://127.0.0.1:4000/graphql
 * @param {number} connections
 */
export function createJsonPoster(url, connections) {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  return {
    pool,
    /**
     * @param {string} body  a JSON string
     * @param {Record<string, string>} [headers]
     * @returns {Promise<{ ok: boolean, status: number, json: any }>}
     */
    async post(body, headers = {}) {
      const response = await pool.request({
        method: 'POST',
        path: pathname,
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const text = await response.body.text();
      const json = text ? JSON.parse(text) : null;
      const ok =
        response.statusCode >= 200 &&
        response.statusCode < 300 &&
        !(json && Array.isArray(json.errors) && json.errors.length > 0);
      return { ok, status: response.statusCode, json };
    },
    close: () => pool.close(),
  };
}
