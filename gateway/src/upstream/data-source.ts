import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CALLER_HEADER } from '@terrarium/kit/caller';
import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { GatewayContext } from '../http/context.js';
import { GatewayErrorCode } from '../errors.js';
import { createFetcher, type Fetcher } from './fetcher.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/** Failures worth one retry of a query: the connection was refused or dropped before an answer. */
const RETRIABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
  agent: Agent;
  metrics: GatewayMetrics;
  logger: Logger;
}

/** A non-2xx answer from a subgraph; its body and URL stay in the logs, never in responses. */
class SubgraphHttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

interface Failure {
  reason: 'timeout' | 'connection' | 'http' | 'invalid_response';
  retriable: boolean;
  code: string;
  message: string;
}

/**
 * A subgraph fetch over the gateway's undici pool. It forwards the signed caller, the request id
 * and the client's W3C trace context (the user's own Authorization header never: subgraphs trust
 * only the gateway's signature). A transport failure becomes an error naming the subgraph, so the
 * gateway answers with partial data; a query is retried once when the connection failed, a
 * mutation never (it may have been applied).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphDataSourceOptions;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: createFetcher(options.agent, options.timeoutMs) satisfies Fetcher });
    this.options = options;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !('requestId' in context)) return;
    if (context.callerToken) headers.set(CALLER_HEADER, context.callerToken);
    headers.set('x-request-id', context.requestId);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
    if (context.tracestate) headers.set('tracestate', context.tracestate);
  }

  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): ReturnType<RemoteGraphQLDataSource['errorFromResponse']> {
    // Thrown through sendRequest to process() below, which turns it into a named error.
    throw new SubgraphHttpError(response.status);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!('incomingRequestContext' in options)) return super.process(options);
    const { name, metrics } = this.options;
    const started = process.hrtime.bigint();
    const mutation = /^\s*mutation\b/.test(options.request.query ?? '');
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const response = await super.process(options);
          if (response.errors?.length) metrics.subgraphErrors.inc({ subgraph: name, reason: 'graphql' });
          return response;
        } catch (err) {
          const failure = this.classify(err);
          if (failure.retriable && !mutation && attempt === 0) {
            metrics.subgraphRetries.inc({ subgraph: name });
            continue;
          }
          metrics.subgraphErrors.inc({ subgraph: name, reason: failure.reason });
          const logger = 'logger' in options.context ? (options.context as GatewayContext).logger : this.options.logger;
          logger.warn({ err, subgraph: name, reason: failure.reason, attempts: attempt + 1 }, 'subgraph fetch failed');
          return { errors: [{ message: failure.message, extensions: { code: failure.code, reason: failure.reason } }] };
        }
      }
    } finally {
      metrics.subgraphFetches.observe({ subgraph: name }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private classify(err: unknown): Failure {
    const { name, timeoutMs } = this.options;
    const unavailable = GatewayErrorCode.SUBGRAPH_UNAVAILABLE;
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return { reason: 'timeout', retriable: false, code: unavailable, message: `The ${name} subgraph did not answer within ${timeoutMs} ms.` };
    }
    if (err instanceof SubgraphHttpError) {
      return err.status >= 500
        ? { reason: 'http', retriable: false, code: unavailable, message: `The ${name} subgraph failed (HTTP ${err.status}).` }
        : { reason: 'http', retriable: false, code: GatewayErrorCode.SUBGRAPH_REQUEST_FAILED, message: `The ${name} subgraph refused the request (HTTP ${err.status}).` };
    }
    const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
    if (err instanceof TypeError && cause) {
      const code = typeof cause.code === 'string' ? cause.code : '';
      return { reason: 'connection', retriable: RETRIABLE.has(code), code: unavailable, message: `The ${name} subgraph is unavailable.` };
    }
    return { reason: 'invalid_response', retriable: false, code: GatewayErrorCode.SUBGRAPH_REQUEST_FAILED, message: `The ${name} subgraph sent an invalid response.` };
  }
}
