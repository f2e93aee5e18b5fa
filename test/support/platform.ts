/**
 * Starts real platform processes for end-to-end tests: the built subgraphs (subgraphs/<name>/dist)
 * and the gateway (gateway/dist/main.js), each a child process on a free port, on the test run's
 * database, with a supergraph composed for those ports. Nothing is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
// @ts-expect-error plain JS helpers shared with scripts/start.js
import { ROOT, startNode, waitForHealth, subgraphMain } from '../../scripts/lib/processes.js';
// @ts-expect-error plain JS helper
import { freePort } from '../../scripts/lib/embedded-postgres.js';

export type SubgraphName = 'ops' | 'products' | 'inventory' | 'commerce' | 'media' | 'community';

interface ChildProcessHandle {
  label: string;
  alive(): boolean;
  stop(graceMs?: number): Promise<void>;
}

export interface Platform {
  gatewayUrl: string;
  /** The gateways' REDIS_KEY_PREFIX, unique to this platform. */
  redisKeyPrefix: string;
  subgraphUrls: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** Starts one more gateway process on the same supergraph (multi-gateway tests). */
  startGateway(extraEnv?: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<void> }>;
  /**
   * Starts one more instance of a subgraph (same database, Redis and secret) on a free port, or
   * on `port` (to bring a stopped instance back where its clients expect it).
   */
  startSubgraph(
    name: SubgraphName,
    options?: { port?: number; env?: NodeJS.ProcessEnv },
  ): Promise<SubgraphInstance>;
  /** Stops the instance of `name` started with the platform; resolves to its port (to start it again there). */
  stopSubgraph(name: SubgraphName): Promise<number>;
  stop(): Promise<void>;
}

export interface SubgraphInstance {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /**
   * The subgraphs to start and compose; the set must compose on its own: products' lists provide
   * community's Product.averageRating (@provides), so products comes with community.
   */
  subgraphs: SubgraphName[];
  /** Use REDIS_URL (when set) for cache and pub/sub. @default true */
  redis?: boolean;
  seed?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Show the processes' logs. @default false */
  verbose?: boolean;
}

/** How long a process may take to answer /health (migrations, seed). TEST_HEALTH_TIMEOUT_MS raises it on a loaded machine. @default 60_000 ms */
const HEALTH_TIMEOUT_MS = Number(process.env['TEST_HEALTH_TIMEOUT_MS'] || 60_000);

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const processes: ChildProcessHandle[] = [];
  const ports: Record<string, number> = {};
  for (const name of options.subgraphs) ports[name] = await freePort();
  const subgraphUrls = Object.fromEntries(
    options.subgraphs.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(options.redis === false ? { REDIS_URL: '' } : {}),
    SEED_DEMO: options.seed === false ? 'false' : 'true',
    LOG_LEVEL: options.verbose ? 'info' : 'warn',
    // Each platform has its own database, so its gateways' shared Redis state (the entity cache
    // above all: the seed gives every database the same ids) must not meet another platform's.
    REDIS_KEY_PREFIX:
      options.env?.['REDIS_KEY_PREFIX'] ?? `terrarium-test-${randomBytes(4).toString('hex')}:`,
    ...Object.fromEntries(options.subgraphs.map((name) => [`${name.toUpperCase()}_URL`, subgraphUrls[name]])),
    ...options.env,
  };
  if (env['REDIS_URL'] === '') delete env['REDIS_URL'];

  const stop = async () => {
    for (const proc of processes.reverse()) await proc.stop(5_000);
  };
  const initial: Partial<Record<SubgraphName, ChildProcessHandle>> = {};
  try {
    const started = options.subgraphs.map((name) => {
      const proc: ChildProcessHandle = startNode(
        name,
        subgraphMain(name),
        [],
        { ...env, PORT: String(ports[name]) },
        { quiet: !options.verbose },
      );
      processes.push(proc);
      initial[name] = proc;
      return waitForHealth(`http://127.0.0.1:${ports[name]}/health`, HEALTH_TIMEOUT_MS, proc.alive);
    });
    await Promise.all(started);

    const composition = composeServices(
      options.subgraphs.map((name) => ({
        name,
        url: subgraphUrls[name]!,
        typeDefs: parse(readFileSync(join(ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
      })),
    );
    if (composition.errors)
      throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'terrarium-supergraph-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composition.supergraphSdl);

    const startGateway = async (extraEnv: NodeJS.ProcessEnv = {}) => {
      const port = await freePort();
      const proc: ChildProcessHandle = startNode(
        'gateway',
        'gateway/dist/main.js',
        ['--supergraph', supergraphPath, '--port', String(port)],
        { ...env, ...extraEnv },
        { quiet: !options.verbose },
      );
      processes.push(proc);
      await waitForHealth(`http://127.0.0.1:${port}/health`, HEALTH_TIMEOUT_MS, proc.alive);
      return { url: `http://127.0.0.1:${port}/graphql`, stop: () => proc.stop(5_000) };
    };
    const startSubgraph = async (
      name: SubgraphName,
      extra: { port?: number; env?: NodeJS.ProcessEnv } = {},
    ): Promise<SubgraphInstance> => {
      const port = extra.port ?? (await freePort());
      const proc: ChildProcessHandle = startNode(
        name,
        subgraphMain(name),
        [],
        { ...env, ...extra.env, PORT: String(port) },
        { quiet: !options.verbose },
      );
      processes.push(proc);
      await waitForHealth(`http://127.0.0.1:${port}/health`, HEALTH_TIMEOUT_MS, proc.alive);
      return { url: `http://127.0.0.1:${port}/graphql`, port, stop: () => proc.stop(5_000) };
    };
    const stopSubgraph = async (name: SubgraphName): Promise<number> => {
      const proc = initial[name];
      if (!proc) throw new Error(`${name} was not started with the platform`);
      await proc.stop(5_000);
      return ports[name]!;
    };
    const gateway = await startGateway();
    return {
      gatewayUrl: gateway.url,
      redisKeyPrefix: env['REDIS_KEY_PREFIX']!,
      subgraphUrls,
      env,
      startGateway,
      startSubgraph,
      stopSubgraph,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: {
    data?: T;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

/** POSTs an operation as a browser app would (JSON, so Apollo's CSRF prevention lets it pass). */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse<T>['body'],
  };
}

/** Loads a named operation from the contract operations in schema/operations. */
export function contractOperation(
  client: 'storefront' | 'breeder' | 'partner-embed' | 'admin',
  name: string,
): string {
  const source = readFileSync(join(ROOT, 'schema', 'operations', `${client}.graphql`), 'utf8');
  const document = parse(source);
  const found = document.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!found || !found.loc) throw new Error(`operation ${name} not found in ${client}.graphql`);
  return source.slice(found.loc.start, found.loc.end);
}

export async function logIn(gatewayUrl: string, email: string, password = 'terrarium-demo'): Promise<string> {
  const { body } = await gql<{ logIn: { token: string } }>(
    gatewayUrl,
    'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }',
    { e: email, p: password },
  );
  if (!body.data?.logIn.token) throw new Error(`log-in failed for ${email}: ${JSON.stringify(body.errors)}`);
  return body.data.logIn.token;
}

/** A valid shipping address: checkout requires one (every order ships). */
export const SHIPPING_ADDRESS = {
  name: 'Kai Keeper',
  line1: 'Terrarienweg 12',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
} as const;

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
