import { Agent, fetch } from 'undici';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

export type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** Open connections per subgraph origin at most. @default 128 */
const CONNECTIONS_PER_SUBGRAPH = 128;
/**
 * An idle connection is kept this long, unless the subgraph's Keep-Alive hint is shorter (undici
 * then closes it early enough not to race the server's own close). @default 30_000 ms
 */
const KEEP_ALIVE_MS = 30_000;

/** One keep-alive pool per subgraph origin, shared by all of the gateway's data sources. */
export function createSubgraphAgent(): Agent {
  return new Agent({ connections: CONNECTIONS_PER_SUBGRAPH, keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS });
}

/**
 * RemoteGraphQLDataSource's fetcher over undici's pool, each fetch bounded by `timeoutMs` (headers
 * and body: the signal aborts both).
 */
export function createFetcher(agent: Agent, timeoutMs: number): Fetcher {
  const fetcher = (url: string, init?: Parameters<Fetcher>[1]) =>
    fetch(url, {
      method: init?.method ?? 'POST',
      headers: init?.headers as Record<string, string> | undefined,
      body: init?.body as string | undefined,
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
  return fetcher as unknown as Fetcher;
}
