// @ts-check
/**
 * Latency of a persisted query by GET against the same query sent free-form, through the real
 * gateway in front of the six real subgraphs (built: run `npx turbo run build` first).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node scripts/bench-persisted.js [--iterations 300] [--warmup 30]
 *
 * A fresh database is created, seeded by the subgraphs and dropped at the end. One client, one
 * request at a time (latency, not throughput), the variants interleaved in each round so that
 * drift hits them alike; prints median, p90 and mean per variant in milliseconds. The operation is
 * the contract's AnimalCard (inventory, media, commerce, ops and community in one answer).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './lib/embedded-postgres.js';
import { ROOT, SUBGRAPHS, startNode, waitForHealth, subgraphMain } from './lib/processes.js';
import { admin, composeSupergraph } from './lib/bench-setup.js';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } },
});
const ITERATIONS = Number(values.iterations);
const WARMUP = Number(values.warmup);
const log = (/** @type {string} */ message) => process.stdout.write(`[bench-persisted] ${message}\n`);

/** seedId of the kit (deterministic UUID), restated so this script needs no build of the kit's index. */
function seedId(/** @type {string} */ name) {
  const bytes = createHash('sha1').update(`terrarium-seed:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** @param {number[]} sorted @param {number} q */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function main() {
  const serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('DATABASE_URL (a Postgres server) is required');
  const database = `terrarium_bench_pq_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, `create database "${database}"`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${database}`;
  /** @type {{ stop(graceMs?: number): Promise<void>, alive(): boolean }[]} */
  const processes = [];
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-bench-pq-'));
  try {
    const ports = Object.fromEntries(
      await Promise.all(SUBGRAPHS.map(async ([name]) => [name, await freePort()])),
    );
    const urls = Object.fromEntries(
      SUBGRAPHS.map(([name]) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
    );
    /** @type {NodeJS.ProcessEnv} */
    const env = {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      INTERNAL_SECRET: randomBytes(32).toString('hex'),
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      // Measuring latency, not the rate limiter.
      RATE_LIMIT_MAX: '0',
      ...Object.fromEntries(SUBGRAPHS.map(([name]) => [`${name.toUpperCase()}_URL`, urls[name]])),
    };
    log('starting six subgraphs');
    await Promise.all(
      SUBGRAPHS.map(([name]) => {
        const proc = startNode(
          name,
          subgraphMain(name),
          [],
          { ...env, PORT: String(ports[name]) },
          { quiet: true },
        );
        processes.push(proc);
        return waitForHealth(`http://127.0.0.1:${ports[name]}/health`, 120_000, proc.alive);
      }),
    );
    const supergraphPath = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeSupergraph(urls));
    const gatewayPort = await freePort();
    const gatewayProc = startNode(
      'gateway',
      'gateway/dist/main.js',
      ['--supergraph', supergraphPath, '--port', String(gatewayPort)],
      env,
      { quiet: true },
    );
    processes.push(gatewayProc);
    await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`, 60_000, gatewayProc.alive);
    const gateway = `http://127.0.0.1:${gatewayPort}/graphql`;

    /** @param {object} body @param {Record<string, string>} [headers] */
    const post = async (body, headers = {}) => {
      const response = await fetch(gateway, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return /** @type {any} */ (await response.json());
    };
    const { operations } = JSON.parse(
      readFileSync(join(ROOT, 'schema', 'manifests', 'partner-embed.json'), 'utf8'),
    );
    const card = operations.find((/** @type {{ name: string }} */ op) => op.name === 'AnimalCard');
    const adminOps = JSON.parse(
      readFileSync(join(ROOT, 'schema', 'manifests', 'admin.json'), 'utf8'),
    ).operations;
    const createPartner = adminOps.find((/** @type {{ name: string }} */ op) => op.name === 'CreatePartner');
    const login = await post({
      query: 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }',
      variables: { e: 'admin@terrarium.test', p: 'terrarium-demo' },
    });
    const created = await post(
      {
        query: createPartner.body,
        variables: { input: { name: `Bench ${Date.now()}`, allowedOperations: ['AnimalCard'] } },
      },
      { authorization: `Bearer ${login.data.logIn.token}` },
    );
    const key = created.data.createApiClient.key;
    const variables = { id: seedId('animal:7') };

    const search = new URLSearchParams({
      operationName: 'AnimalCard',
      variables: JSON.stringify(variables),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: card.id } }),
    });
    const freeSearch = new URLSearchParams({
      operationName: 'AnimalCard',
      variables: JSON.stringify(variables),
      query: card.body,
    });
    const csrf = { 'x-apollo-operation-name': 'AnimalCard' };
    /** @type {Record<string, () => Promise<Response>>} */
    const variants = {
      'persisted GET, partner key': () =>
        fetch(`${gateway}?${search}`, { headers: { ...csrf, 'x-api-key': key } }),
      'persisted GET, anonymous': () => fetch(`${gateway}?${search}`, { headers: csrf }),
      'free-form GET, anonymous': () => fetch(`${gateway}?${freeSearch}`, { headers: csrf }),
      'free-form POST, anonymous': () =>
        fetch(gateway, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: card.body, variables }),
        }),
    };
    /** @type {Record<string, number[]>} */
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    log(
      `AnimalCard: ${WARMUP} warm-up rounds, then ${ITERATIONS} measured rounds of ${Object.keys(variants).length} variants`,
    );
    for (let round = 0; round < WARMUP + ITERATIONS; round += 1) {
      for (const [name, send] of Object.entries(variants)) {
        const started = process.hrtime.bigint();
        const response = await send();
        const body = /** @type {any} */ (await response.json());
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (response.status !== 200 || body.errors)
          throw new Error(`${name}: HTTP ${response.status} ${JSON.stringify(body.errors)}`);
        if (round >= WARMUP) samples[name]?.push(ms);
      }
    }
    const rows = Object.entries(samples).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
      return {
        variant: name,
        n: sorted.length,
        median: +quantile(sorted, 0.5).toFixed(2),
        p90: +quantile(sorted, 0.9).toFixed(2),
        mean: +mean.toFixed(2),
      };
    });
    console.table(rows);
    const bytes = {
      persistedUrl: `${gateway}?${search}`.length,
      freeFormUrl: `${gateway}?${freeSearch}`.length,
    };
    log(
      `request size: persisted GET URL ${bytes.persistedUrl} bytes, free-form GET URL ${bytes.freeFormUrl} bytes`,
    );
    process.stdout.write(
      `${JSON.stringify({ operation: 'AnimalCard', iterations: ITERATIONS, rows, bytes })}\n`,
    );
  } finally {
    for (const proc of processes.reverse()) await proc.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
    await admin(serverUrl, `drop database if exists "${database}" with (force)`);
  }
}

await main();
