import type { Logger } from 'pino';
import { failureResponse } from '../upstream/policy.js';
import { ServiceClient, type ServiceClientOptions } from '../upstream/service-client.js';

/** What a subgraph answered, as Apollo Gateway's data sources return it. */
export interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: SubgraphError[];
  /** The subgraph's Cache-Control header, for the operation's cache policy. */
  cacheControl?: string | undefined;
  /** Read for `entityChanges` (the entity cache); never passed on to clients. */
  extensions?: Record<string, unknown>;
}

export interface SubgraphError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export type SubgraphClientOptions = ServiceClientOptions;

/** A finished exchange, shared by every request that joined it. */
interface Exchange {
  /** The body text (null on failure); joiners parse it themselves, as each mutates what it parses. */
  text: string | null;
  /** The parsed body, owned by the request that started the exchange. */
  parsed: Record<string, unknown> | null;
  failure: SubgraphResponse | null;
  cacheControl: string | undefined;
}

/**
 * The fast path's subgraph fetcher: a ServiceClient (../upstream/: pool, timeout, retry, failure
 * policy, metrics, the same as the stock data source's) under which identical query fetches in
 * flight at the same time (same subgraph, same caller token, same body) share one HTTP exchange;
 * mutations never do.
 */
export class SubgraphClient {
  private readonly client: ServiceClient;
  private readonly inflight = new Map<string, Promise<Exchange>>();

  constructor(options: SubgraphClientOptions) {
    this.client = new ServiceClient(options);
  }

  /**
   * Sends `body` (a GraphQL request as JSON) with `headers` (flat name/value pairs). `shareKey`
   * (null for mutations) lets identical fetches in flight share one exchange.
   */
  async send(
    body: string,
    headers: readonly string[],
    shareKey: string | null,
    mutation: boolean,
    logger: Logger,
  ): Promise<SubgraphResponse> {
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
    return this.client.close();
  }

  private async exchange(
    body: string,
    headers: readonly string[],
    mutation: boolean,
    logger: Logger,
  ): Promise<Exchange> {
    const result = await this.client.call(body, headers, mutation, logger);
    if (!result.ok)
      return { text: null, parsed: null, failure: failureResponse(result.failure), cacheControl: undefined };
    const { text, parsed, cacheControl } = result.value;
    return { text, parsed, failure: null, cacheControl };
  }
}
