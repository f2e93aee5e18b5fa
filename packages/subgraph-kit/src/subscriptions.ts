import type { Server } from 'node:http';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
// The path graphql-ws itself loads: its onSubscribe accepts errors only if they are instances of
// that GraphQLError (a bundler resolving bare 'graphql' to the ESM build would make two classes).
import { GraphQLError } from 'graphql/index.js';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ANONYMOUS, CALLER_HEADER, verifyCaller, type Caller } from '@terrarium/platform/caller';
import { ErrorCode } from '@terrarium/platform/errors';
import type { CreateContext, SubgraphContext } from './context.js';
import { eventMetaOf, isEventId, resumingAfter, type EventMeta } from './pubsub.js';

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

/** The event each subscription's context is resolving now (graphql-js runs one event at a time). */
const currentEvent = new WeakMap<object, EventMeta>();

/**
 * Remembers, per subscription context, the meta (id, resume note) of the event being resolved,
 * so that `onNext` below can send it in the result's `extensions`: resolvers stay unaware of ids.
 */
export function tagResultsWithEventIds(schema: GraphQLSchema): void {
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (payload, args, context: object, info) => {
      const meta = eventMetaOf(payload);
      if (meta) currentEvent.set(context, meta);
      else currentEvent.delete(context);
      return resolve(payload, args, context, info);
    };
  }
}

/**
 * The id of the last event a resuming subscriber got, from the subscribe message's
 * `extensions.lastEventId` (the gateway sends it); undefined when absent, null when malformed.
 */
function lastEventIdOf(extensions: Record<string, unknown> | null | undefined): string | null | undefined {
  const value = extensions?.['lastEventId'];
  if (value === undefined || value === null) return undefined;
  return isEventId(value) ? value : null;
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

/**
 * A graphql-ws endpoint at /graphql on the subgraph's HTTP server; callers are verified on connect.
 * Every event goes out with `extensions.eventId`; a subscribe carrying `extensions.lastEventId`
 * resumes after that event (its first event says `resumedAfter`, and `gap` when the log no longer
 * reached back that far).
 */
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
      onSubscribe: (_ctx, _id, payload) => {
        if (lastEventIdOf(payload.extensions) !== null) return undefined;
        return [
          new GraphQLError('extensions.lastEventId must be an event id as sent in extensions.eventId.', {
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
        ];
      },
      context: (ctx, _id, payload) => {
        const context = createContext((ctx.extra as { caller?: Caller }).caller ?? ANONYMOUS);
        const after = lastEventIdOf(payload.extensions);
        if (after) context.events = resumingAfter(context.events, after);
        return context;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const meta = currentEvent.get(args.contextValue as object);
        if (!meta) return undefined;
        const { errors, ...rest } = result;
        return {
          ...rest,
          ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}),
          extensions: { ...result.extensions, eventId: meta.id, ...resumeNote(meta) },
        };
      },
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

function resumeNote(meta: EventMeta): Record<string, unknown> {
  return {
    ...(meta.resumedAfter ? { resumedAfter: meta.resumedAfter } : {}),
    ...(meta.gap ? { gap: meta.gap } : {}),
  };
}
