import type { Logger } from 'pino';
import type { Caller } from '@terrarium/kit/caller';

/** Per-request state the gateway carries to its data sources. */
export interface GatewayContext {
  caller: Caller;
  /** The caller, signed once per request for every subgraph fetch (x-terrarium-caller). */
  callerToken: string | null;
  requestId: string;
  logger: Logger;
}
