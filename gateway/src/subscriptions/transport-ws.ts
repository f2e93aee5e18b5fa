import type { Server } from 'node:http';
import { HttpError } from '@terrarium/platform/http';
import type { ExecutionArgs } from 'graphql/index.js';
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { AuthUnavailableError, AuthenticationError } from '../identity/auth.js';
import type { SubscriptionLimits } from '../config.js';
import {
  rateLimitKey,
  rateLimitedError,
  retryAfterSeconds,
  type RequestGuards,
} from '../http/request-guards.js';
import type { SubscriptionHub } from './hub.js';
import { identifySubscriber, type Identify, type Identity } from './identity.js';
import type { EventResult, Subscriber } from './subscriber.js';
import { ErrorCode } from '../errors.js';

/** graphql-ws close codes the gateway uses beyond the protocol's own. */
export const CloseCode = {
  /** The token in connection_init is invalid or expired (graphql-ws's Forbidden: a client may retry with a new one). */
  Forbidden: 4403,
  BadRequest: 4400,
  /** Policy violation: a slow consumer with too much buffered on its socket. */
  SlowConsumer: 1008,
  TryAgainLater: 1013,
  /**
   * The caller is past its rate limit (graphql-ws's own code for too many requests; its client
   * treats it as fatal and does not reconnect in a loop). The reason says when to retry.
   */
  TooManyRequests: 4429,
  /**
   * The principal already holds SUBSCRIPTION_MAX_CONNECTIONS_PER_USER sockets. The same code as
   * the rate limit, on purpose: graphql-ws clients treat 4429 as fatal, so a capped client does
   * not reconnect in a loop; the reason says "Too many connections".
   */
  TooManyConnections: 4429,
} as const;

type Extra = { identity?: Identity };

/** Ends a subscription with these errors (graphql-ws sends them as the operation's `error` message). */
class TerminalError extends GraphQLError {
  constructor(readonly formatted: readonly GraphQLFormattedError[]) {
    super(formatted[0]?.message ?? 'The subscription ended.', { extensions: formatted[0]?.extensions ?? {} });
  }
}

export interface WebSocketTransportOptions {
  httpServer: Server;
  hub: SubscriptionHub;
  identify: Identify;
  /** Blocklist (checked on the upgrade: refused with HTTP 403) and rate limit (each subscribe counts). */
  guards: RequestGuards;
  limits: SubscriptionLimits;
  /** Largest message a client may send. */
  maxPayload: number;
  logger: Logger;
}

/**
 * graphql-ws (graphql-transport-ws) on the gateway's /graphql. The client authenticates once,
 * in connection_init (`{ authorization: "Bearer ..." }` or `{ "x-api-key": ... }`); a bad token
 * closes the socket with 4403. graphql-ws enforces the connection_init timeout (4408) and
 * pings (a client that misses a pong is terminated). Each subscription is checked, planned and
 * served by the hub; results arrive formatted, so graphql-ws sends them as they are.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): { close(): Promise<void> } {
  const { hub, guards, limits, logger } = options;
  /** Open, identified sockets by principal (rateLimitKey: key:, user:, ip: for anonymous callers). */
  const openByPrincipal = new Map<string, number>();
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.maxPayload,
    // A blocklisted IP or user agent never gets a WebSocket: the upgrade is answered with HTTP 403.
    verifyClient: (info, done) => {
      guards.blocked(info.req).then(
        (reason) => (reason ? done(false, 403, 'Access denied.') : done(true)),
        (err: unknown) => {
          logger.error({ err }, 'blocklist check failed on a WebSocket upgrade');
          done(false, 500, 'Internal server error');
        },
      );
    },
  });
  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: limits.initWaitMs,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const text = (key: string) => (typeof params[key] === 'string' ? params[key] : undefined);
        try {
          ctx.extra.identity = await identifySubscriber(
            options.identify,
            text('authorization') ?? text('Authorization'),
            text('x-api-key'),
          );
          const principal = rateLimitKey(ctx.extra.identity.caller, guards.ipOf(ctx.extra.request));
          const open = openByPrincipal.get(principal) ?? 0;
          if (open >= limits.maxConnectionsPerUser) {
            ctx.extra.socket.close(
              CloseCode.TooManyConnections,
              `Too many connections: at most ${limits.maxConnectionsPerUser} per user.`,
            );
            return false;
          }
          openByPrincipal.set(principal, open + 1);
          ctx.extra.socket.once('close', () => {
            const left = (openByPrincipal.get(principal) ?? 1) - 1;
            if (left > 0) openByPrincipal.set(principal, left);
            else openByPrincipal.delete(principal);
          });
          return true;
        } catch (err) {
          const [code, reason] =
            err instanceof AuthenticationError
              ? [CloseCode.Forbidden, `Forbidden: ${err.message}`]
              : err instanceof HttpError
                ? [CloseCode.BadRequest, err.message]
                : err instanceof AuthUnavailableError
                  ? [CloseCode.TryAgainLater, 'Credentials cannot be verified now; try again later.']
                  : [null, ''];
          if (code === null) throw err;
          // Close with the reason before graphql-ws closes with a bare "Forbidden". Reasons are at most 123 bytes.
          ctx.extra.socket.close(code, reason.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws registers the operation before calling this hook, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.perConnection) {
          return [
            new GraphQLError(`A connection may hold at most ${limits.perConnection} subscriptions.`, {
              extensions: {
                code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
                reason: 'subscriptionsPerConnection',
                limit: limits.perConnection,
              },
            }),
          ];
        }
        // Each subscribe counts as one request, as a query or an SSE/multipart subscription does.
        const limit = await guards.limit(ctx.extra.identity!.caller, guards.ipOf(ctx.extra.request));
        if (!limit.allowed) {
          const refused = rateLimitedError(retryAfterSeconds(limit));
          ctx.extra.socket.close(CloseCode.TooManyRequests, refused.message);
          return [new GraphQLError(refused.message, { extensions: refused.extensions })];
        }
        const outcome = await hub.subscribe(payload, ctx.extra.identity!, 'ws');
        if ('errors' in outcome)
          return outcome.errors.map(
            (e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions ?? {} }),
          );
        // graphql-ws wants execution arguments; `subscribe` below hands back the iterator instead
        // of executing (the schema is only there to satisfy the type).
        const args: ExecutionArgs = {
          schema: hub.schema!,
          document: outcome.document,
          operationName: payload.operationName ?? null,
          contextValue: overWebSocket(outcome.subscriber, ctx.extra.socket, limits.maxBufferedBytes),
        };
        return args;
      },
      subscribe: (args) => args.contextValue as AsyncIterableIterator<never>,
      // Results are formatted already (errors through the gateway's formatter): send them as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as unknown as EventResult,
      onError: (_ctx, _id, _payload, errors) => {
        const terminal = errors
          .map((e) => e.originalError)
          .find((e): e is TerminalError => e instanceof TerminalError);
        return terminal ? [...terminal.formatted] : undefined;
      },
    },
    wss,
    limits.keepAliveMs,
  );
  logger.debug('graphql-ws listening on /graphql');
  return {
    // Clients are closed with 1001 (going away): graphql-ws clients reconnect, to another gateway
    // behind the load balancer, and re-subscribe on their own.
    close: async () => {
      await server.dispose();
    },
  };
}

/**
 * The subscriber as graphql-ws iterates it: a terminal error is thrown (graphql-ws then sends the
 * operation's `error` message), and a socket holding more than `maxBufferedBytes` unsent is
 * closed as a slow consumer. graphql-ws awaits each send before asking for the next event, so
 * events wait in the subscriber's bounded queue, never in the socket.
 */
function overWebSocket(
  subscriber: Subscriber,
  socket: WebSocket,
  maxBufferedBytes: number,
): AsyncIterableIterator<EventResult> {
  const iterator: AsyncIterableIterator<EventResult> = {
    async next() {
      const step = await subscriber.next();
      if (step.done) {
        if (subscriber.terminalErrors) throw new TerminalError(subscriber.terminalErrors);
        return step;
      }
      if (socket.bufferedAmount > maxBufferedBytes) {
        socket.close(CloseCode.SlowConsumer, 'Slow consumer: too much data buffered');
        return subscriber.return();
      }
      return step;
    },
    return: () => subscriber.return(),
    throw: async () => subscriber.return(),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
