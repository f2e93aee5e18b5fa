import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { fetch, Response, type Agent } from 'undici';
import type { Logger } from 'pino';
import type { GatewayContext } from '../http/context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { setUpstreamHeaders } from './headers.js';
import {
  callService,
  countGraphqlErrors,
  failureResponse,
  ResponseTooLargeError,
  UpstreamHttpError,
} from './policy.js';

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
type Fetcher = RemoteGraphQLDataSource['fetcher'];

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
  /** Largest answer read; past it the fetch is aborted (SUBGRAPH_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** The keep-alive pool shared by every data source (./pools.ts). */
  agent: Agent;
  metrics: GatewayMetrics;
  logger: Logger;
}

/**
 * Apollo Gateway's data source (the stock executor's, and the rest of each subscription event)
 * under the upstream policy of ./policy.ts: the headers of ./headers.ts, a fetch over the shared
 * undici pool bounded by the subgraph's timeout, a failure answered as an error naming the
 * subgraph (partial data), one retry of a query whose connection failed, never of a mutation.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly options: SubgraphDataSourceOptions;

  constructor(options: SubgraphDataSourceOptions) {
    super({
      url: options.url,
      fetcher: createFetcher(options.agent, options.timeoutMs, options.maxResponseBytes),
    });
    this.options = options;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (headers && 'requestId' in context) setUpstreamHeaders(headers, context);
  }

  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0],
  ): ReturnType<RemoteGraphQLDataSource['errorFromResponse']> {
    // Thrown through sendRequest to process() below, which turns it into a named error.
    throw new UpstreamHttpError(response.status);
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    if (!('incomingRequestContext' in options)) return super.process(options);
    const { name, timeoutMs, metrics } = this.options;
    const logger =
      'logger' in options.context ? (options.context as GatewayContext).logger : this.options.logger;
    const mutation = /^\s*mutation\b/.test(options.request.query ?? '');
    const result = await callService(() => super.process(options), {
      service: name,
      timeoutMs,
      mutation,
      metrics,
      logger,
    });
    if (!result.ok) return failureResponse(result.failure);
    if (result.value.errors?.length) countGraphqlErrors(metrics, name);
    return result.value;
  }
}

/**
 * RemoteGraphQLDataSource's fetcher over undici's pool, each fetch bounded by `timeoutMs` (headers
 * and body: the signal aborts both) and its body by `maxResponseBytes`: the body is streamed and
 * the fetch aborted at the cap, so Apollo's own `response.json()` only ever sees a capped buffer.
 */
function createFetcher(agent: Agent, timeoutMs: number, maxResponseBytes: number): Fetcher {
  const fetcher = async (url: string, init?: Parameters<Fetcher>[1]) => {
    const abort = new AbortController();
    const response = await fetch(url, {
      method: init?.method ?? 'POST',
      headers: init?.headers as Record<string, string> | undefined,
      body: init?.body as string | undefined,
      dispatcher: agent,
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const tooLarge = () => {
      abort.abort();
      return new ResponseTooLargeError(maxResponseBytes);
    };
    if (Number(response.headers.get('content-length') ?? 0) > maxResponseBytes) throw tooLarge();
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        received += chunk.byteLength;
        if (received > maxResponseBytes) throw tooLarge();
        chunks.push(chunk);
      }
    }
    return new Response(Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return fetcher as unknown as Fetcher;
}
