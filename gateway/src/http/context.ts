import type { Logger } from 'pino';
import type { Caller } from '@terrarium/platform/caller';
import type { ApiClient } from '../identity/api-keys.js';

/** Per-request state the gateway carries to its plugins and data sources. */
export interface GatewayContext {
  caller: Caller;
  /** The caller, signed once per request for every subgraph fetch (x-terrarium-caller). */
  callerToken: string | null;
  /** The partner's API client when the request carries `x-api-key` (its allowedOperations bind persisted queries). */
  apiClient: ApiClient | null;
  requestId: string;
  /** W3C trace context from the client, forwarded to every subgraph fetch. */
  traceparent: string | null;
  tracestate: string | null;
  logger: Logger;
  /**
   * Filled in as the request goes (Apollo Server clones the context object per operation, so
   * what the HTTP layer reads afterwards lives in this shared object).
   */
  observed: { operationName?: string | null };
}
