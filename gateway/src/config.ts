import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LevelWithSilent } from 'pino';

/** The gateway's settings: command-line flags first, then the environment. Read once, frozen. */
export interface GatewayConfig {
  port: number;
  host: string;
  /** Path of the Federation 2 supergraph SDL to serve. */
  supergraphPath: string;
  /** Signs the caller token for subgraphs; without it subgraphs refuse the gateway's requests. */
  internalSecret: string | null;
  /** JWKS of ops, used to verify users' JWTs; user auth is off when null. */
  jwksUrl: string | null;
  jwtIssuer: string;
  jwtAudience: string;
  redisUrl: string | null;
  production: boolean;
  logLevel: LevelWithSilent;
  /** Per-subgraph fetch timeout. @default 10_000 ms */
  subgraphTimeoutMs: number;
  /** Largest accepted request body. @default 1_048_576 bytes */
  maxBodyBytes: number;
}

const DEFAULT_SUPERGRAPH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

export class GatewayConfigError extends Error {}

export function loadGatewayConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { values } = parseArgs({
    args: argv,
    options: { supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const problems: string[] = [];
  const rawPort = values.port ?? env['GATEWAY_PORT'] ?? '4000';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be a port number, got "${rawPort}"`);
  const number = (key: string, fallback: number): number => {
    const value = Number(env[key] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) problems.push(`${key} must be a positive number`);
    return value;
  };
  const subgraphTimeoutMs = number('SUBGRAPH_TIMEOUT_MS', 10_000);
  const maxBodyBytes = number('MAX_BODY_BYTES', 1_048_576);
  const internalSecret = env['INTERNAL_SECRET'] ?? null;
  if (internalSecret !== null && internalSecret.length < 32) problems.push('INTERNAL_SECRET must be at least 32 characters');
  if (problems.length > 0) throw new GatewayConfigError(`Invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);

  const opsUrl = env['OPS_URL'];
  return Object.freeze({
    port,
    host: values.host ?? env['HOST'] ?? '0.0.0.0',
    supergraphPath: values.supergraph ?? env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH,
    internalSecret,
    jwksUrl: env['JWKS_URL'] ?? (opsUrl ? new URL('/.well-known/jwks.json', opsUrl).toString() : null),
    jwtIssuer: env['JWT_ISSUER'] ?? 'terrarium-ops',
    jwtAudience: env['JWT_AUDIENCE'] ?? 'terrarium',
    redisUrl: env['REDIS_URL'] ?? null,
    production: env['NODE_ENV'] === 'production',
    logLevel: (env['LOG_LEVEL'] ?? 'info') as LevelWithSilent,
    subgraphTimeoutMs,
    maxBodyBytes,
  });
}
