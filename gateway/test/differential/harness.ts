import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { loadGatewayConfig } from '../../src/config.js';
import { createGatewayServer, type GatewayServer } from '../../src/http/server.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/jwt.js';

/** One operation of the corpus, run through both gateways. */
export interface DiffOperation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Answered by stock execution on Terrarium's gateway too, by design (introspection, a `__proto__` alias). */
  stockByDesign?: boolean;
  /** Runs before the operation is sent to either gateway (e.g. a subgraph goes down), undone by `after`. */
  before?: () => void;
  after?: () => void;
}

/** What must agree between the two gateways. */
export interface Outcome {
  status: number;
  data: unknown;
  /** Paths of `errors`, as JSON, sorted (order between parallel fetches is not part of the contract). */
  errorPaths: string[];
  /** Paths of `extensions.valueCompletion` (completion errors stock reports when execution had none). */
  completionPaths: string[];
}

interface Body {
  data?: unknown;
  errors?: { path?: unknown[] }[];
  extensions?: { valueCompletion?: { path?: unknown[] }[] };
}

export interface GatewayPair {
  stockUrl: string;
  terrariumUrl: string;
  /** The staff user's `Bearer` token `run` sends. */
  authorization: string;
  terrarium: GatewayServer;
  /** Runs the operation on both, as a signed-in staff user (stock ignores the token; Terrarium's @access checks pass). */
  run(operation: DiffOperation): Promise<{ stock: Outcome; terrarium: Outcome }>;
  /** Runs the operation on Terrarium's gateway without credentials. */
  runAnonymously(operation: DiffOperation): Promise<Outcome>;
  /** Operations Terrarium's gateway executed, by executor (`fast`, `stock`). */
  executions(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const paths = (entries: { path?: unknown[] }[] | undefined): string[] =>
  (entries ?? []).map((entry) => JSON.stringify(entry.path ?? null)).sort();

export async function post(
  url: string,
  operation: DiffOperation,
  authorization: string | null,
): Promise<Outcome> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({
      query: operation.query,
      variables: operation.variables,
      operationName: operation.operationName,
    }),
  });
  const body = (await response.json()) as Body;
  return {
    status: response.status,
    data: body.data,
    errorPaths: paths(body.errors),
    completionPaths: paths(body.extensions?.valueCompletion),
  };
}

/**
 * Stock @apollo/gateway in @apollo/server with default settings (startStandaloneServer), and
 * Terrarium's gateway as `npm start` builds it (createGatewayServer), on the same supergraph.
 * Terrarium's operation limits and rate limit are raised out of the way: this compares
 * execution, the checks have their own tests. Requests carry a staff user's JWT, which
 * Terrarium verifies (its @access checks run as in production) and stock ignores.
 */
export async function startGatewayPair(
  supergraphSdl: string,
  env: Record<string, string> = {},
): Promise<GatewayPair> {
  const stockServer = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
  const { url: stockUrl } = await startStandaloneServer(stockServer, {
    listen: { port: 0, host: '127.0.0.1' },
  });
  const { server: terrarium, url: terrariumUrl, issuer, close } = await startTerrarium(supergraphSdl, env);
  const authorization = `Bearer ${await issuer.sign({ sub: '00000000-0000-4000-8000-0000000000aa', roles: ['STAFF'] })}`;

  return {
    stockUrl,
    terrariumUrl,
    authorization,
    terrarium,
    async run(operation) {
      operation.before?.();
      try {
        return {
          stock: await post(stockUrl, operation, authorization),
          terrarium: await post(terrariumUrl, operation, authorization),
        };
      } finally {
        operation.after?.();
      }
    },
    runAnonymously: (operation) => post(terrariumUrl, operation, null),
    async executions() {
      const metric = terrarium.metrics.registry.getSingleMetric('gateway_operation_executions_total');
      const counts: Record<string, number> = {};
      for (const { labels, value } of (await metric?.get())?.values ?? [])
        counts[String(labels['executor'])] = value;
      return counts;
    },
    async close() {
      await Promise.all([stockServer.stop(), close()]);
    },
  };
}

export interface TerrariumUnderTest {
  server: GatewayServer;
  url: string;
  /** Signs users' JWTs that this gateway accepts. */
  issuer: TestIssuer;
  close(): Promise<void>;
}

/**
 * Terrarium's gateway as `npm start` builds it (createGatewayServer) on `supergraphSdl`, with
 * its own JWKS issuer, its limits raised out of the way and `env` on top.
 */
export async function startTerrarium(
  supergraphSdl: string,
  env: Record<string, string> = {},
): Promise<TerrariumUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-differential-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphSdl);
  const issuer = await startTestIssuer();
  const config = loadGatewayConfig(['--supergraph', supergraphPath, '--port', '0', '--host', '127.0.0.1'], {
    INTERNAL_SECRET: process.env['INTERNAL_SECRET'],
    JWKS_URL: issuer.jwksUrl,
    LOG_LEVEL: process.env['GATEWAY_TEST_LOG_LEVEL'] ?? 'silent',
    RATE_LIMIT_MAX: '0',
    MAX_DEPTH: '100',
    MAX_ALIASES: '1000',
    MAX_ROOT_FIELDS: '100',
    MAX_TOKENS: '100000',
    MAX_COST: '1000000000',
    ...env,
  });
  const server = await createGatewayServer(config);
  const url = await server.listen(0);
  return {
    server,
    url,
    issuer,
    async close() {
      await Promise.all([server.stop(), issuer.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
