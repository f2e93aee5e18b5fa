// @ts-check
/** What the bench scripts share: a throw-away database, the contract's operations, the platform started. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import graphql from 'graphql';
import pg from 'pg';
import { freePort } from './embedded-postgres.js';
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
 * @param {{ databaseUrl: string, gatewayMain?: string, gatewayEnv?: NodeJS.ProcessEnv, processes: BenchProcess[], cleanups: (() => Promise<void>)[], log: (message: string) => void }} options
 * @returns {Promise<BenchPlatform>}
 */
export async function startBenchPlatform({
  databaseUrl,
  gatewayMain = 'gateway/dist/main.js',
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
      const proc = startNode(name, subgraphMain(name), [], {
        ...env,
        PORT: env[`${name.toUpperCase()}_PORT`],
      });
      processes.push(proc);
      return waitForHealth(urls[name].replace('/graphql', '/health'), HEALTH_TIMEOUT_MS, proc.alive);
    }),
  );
  log(`six subgraphs up and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const composition = composeServices(
    SUBGRAPHS.map(([name]) => ({
      name,
      url: urls[name],
      typeDefs: graphql.parse(readFileSync(join(ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
    })),
  );
  if (composition.errors)
    throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-bench-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composition.supergraphSdl);

  const gatewayPort = await freePort();
  const gateway = startNode(
    'gateway',
    gatewayMain,
    ['--supergraph', supergraphPath, '--port', String(gatewayPort), '--host', '127.0.0.1'],
    { ...env, RATE_LIMIT_MAX: '0', ...gatewayEnv },
  );
  processes.push(gateway);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  await waitForHealth(gatewayUrl.replace('/graphql', '/ready'), HEALTH_TIMEOUT_MS, gateway.alive);
  return { urls, env, secret, supergraphSdl: composition.supergraphSdl, gateway, gatewayUrl };
}
