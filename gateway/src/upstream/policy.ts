import type { Logger } from 'pino';
import { ErrorCode } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/**
 * The one failure policy of every call the gateway makes to a service (the stock data source,
 * the fast path's client, the ops client): what a failure becomes, whether it is retried, what
 * is counted. Subscriptions' graphql-ws connections reconnect instead (subscriptions/upstream.ts)
 * but end with the same code.
 */

/** Failures worth one retry of a query: the connection was refused or dropped before an answer. */
const RETRIABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/**
 * HTTP statuses worth one retry of a query: what a load balancer in front of a subgraph's
 * instances answers when the instance it chose died with the request (502: it closed the
 * connection without an answer, e.g. SIGKILLed) or when it had no instance to send it to at that
 * moment (503). The retry goes back through the balancer, which has marked the dead instance or
 * picks another one, so a query survives the loss of one instance. A query is safe to repeat; a
 * mutation never is (it may have been applied before the instance died), so mutations are not
 * retried, as for connection errors. Not 504 (the request may be slow for its own reasons) nor
 * 500 (the subgraph answered).
 */
const RETRIABLE_STATUSES = new Set([502, 503]);
/** undici's own timeouts (dispatcher API), beside AbortSignal.timeout's TimeoutError (fetch API). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export type FailureReason = 'timeout' | 'connection' | 'http' | 'invalid_response' | 'too_large';

/** A subgraph answer larger than this is cut off (SUBGRAPH_MAX_RESPONSE_BYTES). @default 8_388_608 bytes (8 MB) */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface Failure {
  reason: FailureReason;
  retriable: boolean;
  code: typeof ErrorCode.SUBGRAPH_UNAVAILABLE | typeof ErrorCode.SUBGRAPH_REQUEST_FAILED;
  message: string;
}

/** No answer within the service's timeout (headers and body). */
export class UpstreamTimeoutError extends Error {
  override name = 'TimeoutError';
}

/** A non-2xx answer; its body and URL stay in the logs, never in responses. */
export class UpstreamHttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** A 2xx answer whose body is not a GraphQL JSON object. */
export class InvalidResponseError extends Error {}

/**
 * An answer over the size cap: reading stopped at the cap and the connection was dropped, so a
 * hostile or broken subgraph cannot make the gateway buffer more than the cap.
 */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response body over ${maxBytes} bytes`);
  }
}

/** The network error code of undici's dispatcher errors, or of the cause fetch wraps them in. */
function networkCode(err: unknown): string | null {
  const own = (err as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  if (err instanceof TypeError && err.cause) {
    const cause = (err.cause as { code?: unknown }).code;
    return typeof cause === 'string' ? cause : '';
  }
  return null;
}

/** What a failed call to `service` becomes; the messages are the ones clients see. */
export function classify(err: unknown, service: string, timeoutMs: number): Failure {
  const unavailable = ErrorCode.SUBGRAPH_UNAVAILABLE;
  const code = networkCode(err);
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  if (timedOut || (code !== null && TIMEOUT_CODES.has(code))) {
    return {
      reason: 'timeout',
      retriable: false,
      code: unavailable,
      message: `The ${service} subgraph did not answer within ${timeoutMs} ms.`,
    };
  }
  if (err instanceof ResponseTooLargeError) {
    return {
      reason: 'too_large',
      retriable: false,
      code: ErrorCode.SUBGRAPH_REQUEST_FAILED,
      message: `The ${service} subgraph's answer is larger than ${err.maxBytes} bytes.`,
    };
  }
  if (err instanceof UpstreamHttpError) {
    return err.status >= 500
      ? {
          reason: 'http',
          retriable: RETRIABLE_STATUSES.has(err.status),
          code: unavailable,
          message: `The ${service} subgraph failed (HTTP ${err.status}).`,
        }
      : {
          reason: 'http',
          retriable: false,
          code: ErrorCode.SUBGRAPH_REQUEST_FAILED,
          message: `The ${service} subgraph refused the request (HTTP ${err.status}).`,
        };
  }
  if (code !== null && !(err instanceof InvalidResponseError)) {
    return {
      reason: 'connection',
      retriable: RETRIABLE.has(code),
      code: unavailable,
      message: `The ${service} subgraph is unavailable.`,
    };
  }
  return {
    reason: 'invalid_response',
    retriable: false,
    code: ErrorCode.SUBGRAPH_REQUEST_FAILED,
    message: `The ${service} subgraph sent an invalid response.`,
  };
}

/** A failure as a service's GraphQL answer, so the gateway answers with partial data. */
export function failureResponse(failure: Failure): {
  errors: [{ message: string; extensions: { code: string; reason: FailureReason } }];
} {
  return {
    errors: [{ message: failure.message, extensions: { code: failure.code, reason: failure.reason } }],
  };
}

export interface CallOptions {
  service: string;
  timeoutMs: number;
  /** A mutation is never retried: it may have been applied. */
  mutation: boolean;
  metrics: GatewayMetrics;
  logger: Logger;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/**
 * Runs `attempt` under the policy: a query whose connection failed (or that a load balancer
 * answered with 502/503) is retried once, a mutation never; every call is timed (retries included) and every failure counted and logged with its
 * cause. A GraphQL answer carrying errors is counted by the caller (`countGraphqlErrors`).
 */
export async function callService<T>(
  attempt: () => Promise<T>,
  options: CallOptions,
): Promise<CallResult<T>> {
  const { service, timeoutMs, mutation, metrics, logger } = options;
  const started = process.hrtime.bigint();
  try {
    for (let tries = 0; ; tries += 1) {
      try {
        return { ok: true, value: await attempt() };
      } catch (err) {
        const failure = classify(err, service, timeoutMs);
        if (failure.retriable && !mutation && tries === 0) {
          metrics.subgraphRetries.inc({ subgraph: service });
          continue;
        }
        metrics.subgraphErrors.inc({ subgraph: service, reason: failure.reason });
        logger.warn(
          { err, subgraph: service, reason: failure.reason, attempts: tries + 1 },
          'subgraph fetch failed',
        );
        return { ok: false, failure };
      }
    }
  } finally {
    metrics.subgraphFetches.observe({ subgraph: service }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** A service answered, with GraphQL errors in its body. */
export function countGraphqlErrors(metrics: GatewayMetrics, service: string): void {
  metrics.subgraphErrors.inc({ subgraph: service, reason: 'graphql' });
}
