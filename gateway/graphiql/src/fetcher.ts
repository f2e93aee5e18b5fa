import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit';
import { getOperationAST, parse, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/**
 * GraphiQL's fetcher for this gateway: queries and mutations POST JSON to /graphql (Apollo's CSRF
 * prevention accepts it), subscriptions go over graphql-ws on the same origin. The headers editor
 * applies to both: sent as HTTP headers, and as graphql-ws connection params (the gateway reads
 * `authorization` / `x-api-key` there), one connection per distinct set of headers. An empty value
 * (the prefilled `"Authorization": ""`) is not sent.
 */
export function createTerrariumFetcher(endpoint: URL): Fetcher {
  const wsUrl = new URL(endpoint);
  wsUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  const clients = new Map<string, Client>();
  const wsClient = (headers: Record<string, string>) => {
    const key = JSON.stringify(headers);
    let client = clients.get(key);
    if (!client) {
      client = createClient({ url: wsUrl.href, connectionParams: headers, lazy: true });
      clients.set(key, client);
    }
    return client;
  };

  return (params: FetcherParams, opts?: FetcherOpts) => {
    const headers = sentHeaders(opts?.headers);
    if (isSubscription(params, opts)) {
      const events = wsClient(headers).iterate({
        query: params.query,
        variables: params.variables ?? {},
        operationName: params.operationName ?? null,
      });
      // GraphiQL types results as graphql-js ExecutionResults (GraphQLError instances); the wire
      // carries their JSON form, which GraphiQL renders all the same.
      return events as unknown as AsyncIterable<ExecutionResult>;
    }
    return fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...headers,
      },
      body: JSON.stringify(params),
    }).then((response) => response.json() as Promise<ExecutionResult>);
  };
}

function sentHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string' && value.trim() !== '') sent[name.toLowerCase()] = value.trim();
  }
  return sent;
}

function isSubscription(params: FetcherParams, opts: FetcherOpts | undefined): boolean {
  try {
    const document = opts?.documentAST ?? parse(params.query);
    return getOperationAST(document, params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    // An unparsable document is sent over HTTP, where the gateway answers with the syntax error.
    return false;
  }
}
