import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ANONYMOUS, CALLER_HEADER, verifyCaller, type Caller } from '@terrarium/platform/caller';
import type { CreateContext, SubgraphContext } from './context.js';

/**
 * graphql-ws builds one context per subscription, but every event is a new read: give each event
 * a fresh EntityManager fork and fresh DataLoaders (from `refresh`), so no event sees an earlier
 * one's cache.
 */
export function refreshContextPerEvent<TLoaders>(
  schema: GraphQLSchema,
  refresh: (context: SubgraphContext<TLoaders>) => void,
): void {
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = (payload, args, context: SubgraphContext<TLoaders>, info) => {
      refresh(context);
      return resolve(payload, args, context, info);
    };
  }
}

export interface SubscriptionServerOptions<TLoaders> {
  httpServer: Server;
  schema: GraphQLSchema;
  internalSecret: string;
  createContext: CreateContext<TLoaders>;
}

export interface SubscriptionServer {
  /** Closes every subscription (Apollo's drain calls it). */
  dispose(): Promise<void>;
  /** Stops accepting WebSocket connections. */
  close(): void;
}

/** A graphql-ws endpoint at /graphql on the subgraph's HTTP server; callers are verified on connect. */
export function serveSubscriptions<TLoaders>(
  options: SubscriptionServerOptions<TLoaders>,
): SubscriptionServer {
  const { httpServer, schema, internalSecret, createContext } = options;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const cleanup = useServer(
    {
      schema,
      // The gateway (or a service) opens the connection with its signed caller token.
      onConnect: async (ctx) => {
        const token = ctx.connectionParams?.[CALLER_HEADER];
        try {
          (ctx.extra as { caller?: Caller }).caller = await verifyCaller(
            typeof token === 'string' ? token : undefined,
            internalSecret,
          );
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => createContext((ctx.extra as { caller?: Caller }).caller ?? ANONYMOUS),
    },
    wsServer,
  );
  return {
    dispose: async () => {
      await cleanup.dispose();
    },
    close: () => wsServer.close(),
  };
}
