import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Kind, print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { persistedOperationIds } from './persisted-ids.js';

export interface TerrariumClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** graphql-ws endpoint. @default `url` with ws:/wss: */
  wsUrl?: string;
  /** A user's JWT (from `logIn`), sent as `Authorization: Bearer` on HTTP and in graphql-ws connection params. */
  token?: () => string | null | undefined;
  /** A partner API key instead of a user token (never both). */
  apiKey?: string;
  /** Send persisted queries as GET (CDN-cacheable). @default false */
  useGETForPersistedQueries?: boolean;
  /** Node < 22: a WebSocket implementation (the `ws` package); browsers have one. */
  webSocketImpl?: unknown;
  /** The fetch HttpLink uses (server-side rendering, instrumentation). @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface TerrariumClient {
  client: ApolloClient;
  /** Closes the graphql-ws connection (subscriptions end) and stops the client. */
  dispose(): Promise<void>;
}

/**
 * A ready Apollo Client 4 for the Terrarium gateway: queries and mutations over HttpLink behind
 * the persisted-query link (a contract operation is sent by its manifest id alone; anything else
 * by its SHA-256, registered through APQ on a miss), subscriptions over graphql-ws.
 */
export function createTerrariumClient(options: TerrariumClientOptions): TerrariumClient {
  const credentials = (): Record<string, string> => {
    if (options.apiKey) return { 'x-api-key': options.apiKey };
    const token = options.token?.();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const ws: Client = createClient({
    url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
    connectionParams: () => credentials(),
    lazy: true,
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
  });
  const http = new HttpLink({ uri: options.url, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth = new ApolloLink((operation, forward) => {
    operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
      headers: { ...headers, ...credentials() },
    }));
    return forward(operation);
  });
  const persisted = new PersistedQueryLink({
    generateHash: persistedHash,
    useGETForHashedQueries: options.useGETForPersistedQueries ?? false,
  });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    ApolloLink.from([auth, persisted, http]),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    client,
    async dispose() {
      client.stop();
      await ws.dispose();
    },
  };
}

/**
 * A contract operation's manifest id, by its name; any other document's SHA-256 (APQ). The
 * gateway runs the manifest's body for an id, so the id must be the manifest's, not a hash of the
 * document Apollo sends (which has __typename added).
 */
async function persistedHash(document: DocumentNode): Promise<string> {
  const name = getMainDefinition(document).name?.value;
  const id = name === undefined ? undefined : persistedOperationIds[name];
  if (id) return id;
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(print(document)));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
