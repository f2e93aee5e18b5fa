import type { Caller } from '@terrarium/platform/caller';
import { createClient, type Client } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql/index.js';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { EventResult } from './subscriber.js';
import { ErrorCode } from '../errors.js';
import { callerConnectionParams } from '../upstream/headers.js';

/** First reconnection delay; it doubles per attempt up to MAX_RETRY_DELAY_MS. @default 500 ms */
const FIRST_RETRY_DELAY_MS = 500;
/** @default 10_000 ms */
const MAX_RETRY_DELAY_MS = 10_000;
/** Ping interval towards subgraphs, so idle connections survive proxies. @default 10_000 ms */
const UPSTREAM_KEEPALIVE_MS = 10_000;
/** A subgraph that does not acknowledge connection_init this fast counts as a failed attempt. @default 5_000 ms */
const ACK_TIMEOUT_MS = 5_000;

export interface UpstreamRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** `lastEventId`: resume after this event (a client's resume, see SharedStream). */
  extensions?: Record<string, unknown>;
}

export interface UpstreamSink {
  next(event: EventResult): void;
  /** The subscription cannot go on: errors from the subgraph, or SUBGRAPH_UNAVAILABLE. */
  error(errors: readonly GraphQLFormattedError[]): void;
  complete(): void;
}

export interface UpstreamOptions {
  /** A fresh caller token for each (re)connection: tokens live 60 s, connections much longer. */
  signCaller: (caller: Caller) => Promise<string | null>;
  /** Reconnection attempts after the subgraph went away; 0 ends subscriptions at once. */
  retries: number;
  logger: Logger;
  onReconnected?: (subgraph: string) => void;
}

interface Connection {
  client: Client;
  refs: number;
}

export const subgraphUnavailable = (subgraph: string): GraphQLFormattedError => ({
  message: `The ${subgraph} subgraph is unavailable; the subscription ended. Subscribe again later.`,
  extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: subgraph },
});

/**
 * The gateway's graphql-ws connections to subgraphs: one per (subgraph URL, caller), since a
 * subgraph verifies the caller once per connection (connection_init's `x-terrarium-caller`),
 * multiplexing every subscription of that caller. When a subgraph goes away, graphql-ws's client
 * reconnects with exponential backoff (re-signing the caller) and re-subscribes each active
 * subscription after the last event it received (`extensions.lastEventId`), so the subgraph
 * replays what was published meanwhile: a lost instance costs no event. After `retries` failed
 * attempts the subscriptions end with SUBGRAPH_UNAVAILABLE.
 */
export class UpstreamPool {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly options: UpstreamOptions) {}

  subscribe(
    subgraph: string,
    url: string,
    caller: Caller,
    request: UpstreamRequest,
    sink: UpstreamSink,
  ): () => void {
    const connection = this.connection(subgraph, url, caller);
    connection.refs += 1;
    let finished = false;
    const release = () => {
      connection.refs -= 1;
      if (connection.refs > 0) return;
      const key = this.key(subgraph, url, caller);
      if (this.connections.get(key) === connection) this.connections.delete(key);
      void connection.client.dispose();
    };
    // graphql-ws re-sends this same object when it re-subscribes after a reconnection, so the
    // resume point kept in it is always the last event received.
    const payload = { ...request, extensions: { ...request.extensions } };
    const unsubscribe = connection.client.subscribe<Record<string, unknown>, Record<string, unknown>>(
      payload,
      {
        next: (event) => {
          if (finished) return;
          const eventId = event.extensions?.['eventId'];
          if (typeof eventId === 'string') payload.extensions['lastEventId'] = eventId;
          sink.next(event);
        },
        error: (err: unknown) => {
          if (finished) return;
          finished = true;
          release();
          if (Array.isArray(err)) {
            // The subgraph refused the operation itself (an `error` message): its errors, labelled.
            sink.error(
              (err as GraphQLFormattedError[]).map((e) => ({
                ...e,
                extensions: { ...e.extensions, serviceName: subgraph },
              })),
            );
            return;
          }
          this.options.logger.warn({ subgraph, err: describe(err) }, 'subscription upstream lost');
          sink.error([subgraphUnavailable(subgraph)]);
        },
        // Also called after our own unsubscribe, which has already released.
        complete: () => {
          if (finished) return;
          finished = true;
          release();
          sink.complete();
        },
      },
    );
    return () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      release();
    };
  }

  async close(): Promise<void> {
    const clients = [...this.connections.values()].map((c) => c.client);
    this.connections.clear();
    await Promise.allSettled(clients.map((client) => client.dispose()));
  }

  private key(subgraph: string, url: string, caller: Caller): string {
    return `${subgraph}\n${url}\n${JSON.stringify(caller)}`;
  }

  private connection(subgraph: string, url: string, caller: Caller): Connection {
    const key = this.key(subgraph, url, caller);
    const existing = this.connections.get(key);
    if (existing) return existing;
    const { retries, signCaller, logger, onReconnected } = this.options;
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: async () => {
        return callerConnectionParams(await signCaller(caller));
      },
      // Connect with the first subscription, close after the last.
      lazy: true,
      keepAlive: UPSTREAM_KEEPALIVE_MS,
      connectionAckWaitTimeout: ACK_TIMEOUT_MS,
      retryAttempts: retries,
      retryWait: async (attempt) => {
        const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
        await new Promise((resolve) => setTimeout(resolve, delay + Math.floor(Math.random() * delay * 0.2)));
      },
      // Retry refused connections too (graphql-ws retries only close events by default): a
      // restarting subgraph refuses connections before it accepts them again.
      shouldRetry: () => true,
      on: {
        connected: (_socket, _payload, wasRetry) => {
          if (!wasRetry) return;
          logger.info({ subgraph }, 'subscription upstream reconnected; active subscriptions re-subscribed');
          onReconnected?.(subgraph);
        },
      },
    });
    const connection = { client, refs: 0 };
    this.connections.set(key, connection);
    return connection;
  }
}

/** Close events and socket errors are not Errors; keep what a log reader needs. */
function describe(err: unknown): Record<string, unknown> | string {
  if (err instanceof Error) return { message: err.message };
  if (typeof err === 'object' && err !== null) {
    const { code, reason, message } = err as { code?: unknown; reason?: unknown; message?: unknown };
    return { code, reason, message };
  }
  return String(err);
}
