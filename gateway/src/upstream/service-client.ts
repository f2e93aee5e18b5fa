import type { Dispatcher, Pool } from 'undici';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import {
  callService,
  countGraphqlErrors,
  DEFAULT_MAX_RESPONSE_BYTES,
  InvalidResponseError,
  ResponseTooLargeError,
  UpstreamHttpError,
  UpstreamTimeoutError,
  type CallResult,
} from './policy.js';
import { createUpstreamPool } from './pools.js';

export interface ServiceClientOptions {
  /** The service's name, as errors and metrics label it. */
  name: string;
  url: string;
  timeoutMs: number;
  /** Largest answer read; past it the exchange is aborted (SUBGRAPH_MAX_RESPONSE_BYTES). @default 8_388_608 bytes */
  maxResponseBytes?: number;
  metrics: GatewayMetrics;
}

/** A service's GraphQL answer: the body text, the object parsed from it, its Cache-Control header. */
export interface ServiceAnswer {
  text: string;
  parsed: Record<string, unknown>;
  cacheControl: string | undefined;
}

interface RawResponse {
  status: number;
  contentType: string;
  cacheControl: string | undefined;
  body: string;
}

/**
 * POSTs GraphQL requests to one service under the upstream policy (./policy.ts): one undici Pool
 * (keep-alive), requests written through undici's dispatcher API (no fetch Request/Response/
 * Headers objects, no streams), bodies read as a string and parsed once. The fast path's client
 * and the ops client are this.
 */
export class ServiceClient {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(private readonly options: ServiceClientOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = createUpstreamPool(url.origin, options.timeoutMs);
  }

  /** Sends `body` (a GraphQL request as JSON) with `headers` (flat name/value pairs, ./headers.ts). */
  call(
    body: string,
    headers: readonly string[],
    mutation: boolean,
    logger: Logger,
  ): Promise<CallResult<ServiceAnswer>> {
    const { name, timeoutMs, metrics } = this.options;
    return callService(() => this.answer(body, headers), {
      service: name,
      timeoutMs,
      mutation,
      metrics,
      logger,
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async answer(body: string, headers: readonly string[]): Promise<ServiceAnswer> {
    const raw = await this.post(body, headers);
    if (raw.status < 200 || raw.status >= 300) throw new UpstreamHttpError(raw.status);
    // RemoteGraphQLDataSource reads any other content type as text, which is then not an object.
    if (
      !raw.contentType.startsWith('application/json') &&
      !raw.contentType.startsWith('application/graphql-response+json')
    ) {
      throw new InvalidResponseError(`Expected JSON response body, but received: ${raw.contentType}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.body);
    } catch (err) {
      throw new InvalidResponseError((err as Error).message);
    }
    if (typeof parsed !== 'object' || parsed === null)
      throw new InvalidResponseError(`Expected JSON response body, but received: ${raw.body.slice(0, 100)}`);
    if ((parsed as { errors?: unknown[] }).errors?.length)
      countGraphqlErrors(this.options.metrics, this.options.name);
    return { text: raw.body, parsed: parsed as Record<string, unknown>, cacheControl: raw.cacheControl };
  }

  /** One POST through the pool, bounded by the service's timeout (headers and body). */
  private post(body: string, headers: readonly string[]): Promise<RawResponse> {
    const { timeoutMs, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } = this.options;
    return new Promise<RawResponse>((resolve, reject) => {
      let chunks: Buffer[] = [];
      let received = 0;
      let status = 0;
      let contentType = '';
      let cacheControl: string | undefined;
      let controller: Dispatcher.DispatchController | null = null;
      let timedOut = false;
      let tooLarge = false;
      /** Stops reading at the cap: what was buffered is dropped and the connection aborted. */
      const cutOff = (active: Dispatcher.DispatchController) => {
        tooLarge = true;
        chunks = [];
        active.abort(new ResponseTooLargeError(maxResponseBytes));
      };
      const timer = setTimeout(() => {
        timedOut = true;
        controller?.abort(new UpstreamTimeoutError(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (timedOut) started.abort(new UpstreamTimeoutError(`no answer within ${timeoutMs} ms`));
        },
        onResponseStart(active, statusCode, responseHeaders) {
          status = statusCode;
          const type = responseHeaders['content-type'];
          contentType = (Array.isArray(type) ? type[0] : type) ?? '';
          const cache = responseHeaders['cache-control'];
          cacheControl = Array.isArray(cache) ? cache.join(', ') : cache;
          if (Number(responseHeaders['content-length'] ?? 0) > maxResponseBytes) cutOff(active);
        },
        onResponseData(active, chunk) {
          if (tooLarge) return;
          received += chunk.length;
          if (received > maxResponseBytes) return cutOff(active);
          chunks.push(chunk);
        },
        onResponseEnd() {
          clearTimeout(timer);
          const text =
            chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ status, contentType, cacheControl, body: text });
        },
        onResponseError(_controller, err) {
          clearTimeout(timer);
          if (tooLarge) return reject(new ResponseTooLargeError(maxResponseBytes));
          reject(timedOut ? new UpstreamTimeoutError(`no answer within ${timeoutMs} ms`) : err);
        },
      };
      this.pool.dispatch({ path: this.path, method: 'POST', headers: headers as string[], body }, handler);
    });
  }
}
