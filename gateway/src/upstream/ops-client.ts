import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import { ServiceClient } from './service-client.js';

/** @default 3_000 ms */
const OPS_TIMEOUT_MS = 3_000;

/** Ops could not answer an internal query (unreachable, timed out, or an error answer). */
export class OpsUnavailableError extends Error {}

/**
 * ops' internal (@inaccessible) queries, asked as the `gateway` service: partner API keys, token
 * revocations, feature flag definitions. One ServiceClient (pool, timeout, retry of a dropped
 * connection, metrics) under upstream/'s policy, as every service call.
 */
export interface OpsClient {
  /** The `data` of an internal query; throws OpsUnavailableError when ops does not give it. */
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Null when the gateway has no OPS_URL or no INTERNAL_SECRET (ops would refuse it). */
export function createOpsClient(options: {
  opsUrl: string | null;
  internalSecret: string | null;
  metrics: GatewayMetrics;
  logger: Logger;
}): OpsClient | null {
  const { opsUrl, internalSecret, metrics, logger } = options;
  if (!opsUrl || !internalSecret) return null;
  const ops = new ServiceClient({ name: 'ops', url: opsUrl, timeoutMs: OPS_TIMEOUT_MS, metrics });
  return {
    async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const token = await signCaller({ ...ANONYMOUS, service: 'gateway' }, internalSecret, 'gateway');
      const result = await ops.call(
        JSON.stringify({ query, variables }),
        ['content-type', 'application/json', CALLER_HEADER, token],
        false,
        logger,
      );
      if (!result.ok) throw new OpsUnavailableError(`ops is unavailable (${result.failure.reason})`);
      const body = result.value.parsed as { data?: T | null; errors?: { message: string }[] };
      if (body.errors?.length || !body.data)
        throw new OpsUnavailableError(
          `ops refused the query: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`,
        );
      return body.data;
    },
    close: () => ops.close(),
  };
}
