import { Agent, Pool } from 'undici';

/** Open connections per service origin at most. @default 128 */
const CONNECTIONS_PER_SERVICE = 128;
/**
 * An idle connection is kept this long, unless the service's Keep-Alive hint is shorter (undici
 * then closes it early enough not to race the server's own close). @default 30_000 ms
 */
const KEEP_ALIVE_MS = 30_000;

/** One keep-alive pool per origin, shared by all of the stock path's data sources (fetch API). */
export function createUpstreamAgent(): Agent {
  return new Agent({
    connections: CONNECTIONS_PER_SERVICE,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
  });
}

/** One keep-alive pool to one service (dispatcher API), its headers and body bounded by `timeoutMs`. */
export function createUpstreamPool(origin: string, timeoutMs: number): Pool {
  return new Pool(origin, {
    connections: CONNECTIONS_PER_SERVICE,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
