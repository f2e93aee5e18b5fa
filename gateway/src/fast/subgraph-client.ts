import { Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { GatewayErrorCode } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/** Open connections per subgraph at most (as the stock path's agent). @default 128 */
const CONNECTIONS = 128;
/** An idle connection is kept this long unless the subgraph's Keep-Alive hint is shorter. @default 30_000 ms */
const KEEP_ALIVE_MS = 30_000;
/** Failures worth one retry of a query: the connection was refused or dropped before an answer. */
const RETRIABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** What a subgraph answered, as Apollo Gateway's data sources return it. */
export interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: SubgraphError[];
  /** The subgraph's Cache-Control header, for the operation's cache policy. */
  cacheControl?: string | undefined;
}

export interface SubgraphError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface SubgraphClientOptions {
  name: string;
  url: string;
  timeoutMs: number;
  metrics: GatewayMetrics;
}

/** A finished exchange, shared by every request that joined it. */
interface Exchange {
  /** The body text (null on failure); joiners parse it themselves, as each mutates what it parses. */
  text: string | null;
  /** The parsed body, owned by the request that started the exchange. */
  parsed: Record<string, unknown> | null;
  failure: SubgraphResponse | null;
  cacheControl: string | undefined;
}

interface Failure {
  reason: 'timeout' | 'connection' | 'http' | 'invalid_response';
  retriable: boolean;
  code: string;
  message: string;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

class InvalidResponseError extends Error {}

interface RawResponse {
  status: number;
  contentType: string;
  cacheControl: string | undefined;
  body: string;
}

/**
 * The fast path's subgraph fetcher: one undici Pool (keep-alive) per subgraph, requests written
 * through undici's dispatcher API (no fetch Request/Response/Headers objects, no streams), bodies
 * read as a string and parsed once. Identical query fetches in flight at the same time (same
 * subgraph, same caller token, same body) share one HTTP exchange; mutations never do.
 *
 * Its failure policy is the one of SubgraphDataSource (../datasource.ts), and must stay so: the
 * same timeout per subgraph, one retry of a query whose connection failed, never of a mutation,
 * a failure answered as an error naming the subgraph (SUBGRAPH_UNAVAILABLE /
 * SUBGRAPH_REQUEST_FAILED) so the gateway answers with partial data, and the same metrics.
 */
export class SubgraphClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly inflight = new Map<string, Promise<Exchange>>();
  private readonly fetches: ReturnType<GatewayMetrics['subgraphFetches']['labels']>;

  constructor(private readonly options: SubgraphClientOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: CONNECTIONS,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.fetches = options.metrics.subgraphFetches.labels({ subgraph: options.name });
  }

  /**
   * Sends `body` (a GraphQL request as JSON) with `headers` (flat name/value pairs). `shareKey`
   * (null for mutations) lets identical fetches in flight share one exchange.
   */
  async send(body: string, headers: readonly string[], shareKey: string | null, mutation: boolean, logger: Logger): Promise<SubgraphResponse> {
    let exchange: Exchange;
    let owner = true;
    if (shareKey === null) {
      exchange = await this.exchange(body, headers, mutation, logger);
    } else {
      let pending = this.inflight.get(shareKey);
      if (pending) {
        owner = false;
      } else {
        pending = this.exchange(body, headers, mutation, logger);
        this.inflight.set(shareKey, pending);
        const forget = () => void this.inflight.delete(shareKey);
        pending.then(forget, forget);
      }
      exchange = await pending;
    }
    if (exchange.failure) return exchange.failure;
    const parsed = owner ? exchange.parsed! : (JSON.parse(exchange.text!) as Record<string, unknown>);
    const response = parsed as SubgraphResponse;
    response.cacheControl = exchange.cacheControl;
    return response;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async exchange(body: string, headers: readonly string[], mutation: boolean, logger: Logger): Promise<Exchange> {
    const { name, metrics } = this.options;
    const started = process.hrtime.bigint();
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const raw = await this.post(body, headers);
          if (raw.status < 200 || raw.status >= 300) throw new HttpStatusError(raw.status);
          // RemoteGraphQLDataSource reads any other content type as text, which is then not an object.
          if (!raw.contentType.startsWith('application/json') && !raw.contentType.startsWith('application/graphql-response+json')) {
            throw new InvalidResponseError(`Expected JSON response body, but received: ${raw.contentType}`);
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.body);
          } catch (err) {
            throw new InvalidResponseError((err as Error).message);
          }
          if (typeof parsed !== 'object' || parsed === null) throw new InvalidResponseError(`Expected JSON response body, but received: ${raw.body.slice(0, 100)}`);
          if ((parsed as SubgraphResponse).errors?.length) metrics.subgraphErrors.inc({ subgraph: name, reason: 'graphql' });
          return { text: raw.body, parsed: parsed as Record<string, unknown>, failure: null, cacheControl: raw.cacheControl };
        } catch (err) {
          const failure = this.classify(err);
          if (failure.retriable && !mutation && attempt === 0) {
            metrics.subgraphRetries.inc({ subgraph: name });
            continue;
          }
          metrics.subgraphErrors.inc({ subgraph: name, reason: failure.reason });
          logger.warn({ err, subgraph: name, reason: failure.reason, attempts: attempt + 1 }, 'subgraph fetch failed');
          const response: SubgraphResponse = { errors: [{ message: failure.message, extensions: { code: failure.code, reason: failure.reason } }] };
          return { text: null, parsed: null, failure: response, cacheControl: undefined };
        }
      }
    } finally {
      this.fetches.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** One POST through the pool, bounded by the subgraph's timeout (headers and body). */
  private post(body: string, headers: readonly string[]): Promise<RawResponse> {
    const { timeoutMs } = this.options;
    return new Promise<RawResponse>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let contentType = '';
      let cacheControl: string | undefined;
      let controller: Dispatcher.DispatchController | null = null;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller?.abort(new TimeoutError(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (timedOut) started.abort(new TimeoutError(`no answer within ${timeoutMs} ms`));
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          const type = responseHeaders['content-type'];
          contentType = (Array.isArray(type) ? type[0] : type) ?? '';
          const cache = responseHeaders['cache-control'];
          cacheControl = Array.isArray(cache) ? cache.join(', ') : cache;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ status, contentType, cacheControl, body: text });
        },
        onResponseError(_controller, err) {
          clearTimeout(timer);
          reject(timedOut ? new TimeoutError(`no answer within ${timeoutMs} ms`) : err);
        },
      };
      this.pool.dispatch({ path: this.path, method: 'POST', headers: headers as string[], body }, handler);
    });
  }

  /** SubgraphDataSource.classify, for undici's dispatcher errors (no fetch TypeError wrapping). */
  private classify(err: unknown): Failure {
    const { name, timeoutMs } = this.options;
    const unavailable = GatewayErrorCode.SUBGRAPH_UNAVAILABLE;
    const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : '';
    if (err instanceof TimeoutError || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return { reason: 'timeout', retriable: false, code: unavailable, message: `The ${name} subgraph did not answer within ${timeoutMs} ms.` };
    }
    if (err instanceof HttpStatusError) {
      return err.status >= 500
        ? { reason: 'http', retriable: false, code: unavailable, message: `The ${name} subgraph failed (HTTP ${err.status}).` }
        : { reason: 'http', retriable: false, code: GatewayErrorCode.SUBGRAPH_REQUEST_FAILED, message: `The ${name} subgraph refused the request (HTTP ${err.status}).` };
    }
    if (err instanceof InvalidResponseError) {
      return { reason: 'invalid_response', retriable: false, code: GatewayErrorCode.SUBGRAPH_REQUEST_FAILED, message: `The ${name} subgraph sent an invalid response.` };
    }
    return { reason: 'connection', retriable: RETRIABLE.has(code), code: unavailable, message: `The ${name} subgraph is unavailable.` };
  }
}
