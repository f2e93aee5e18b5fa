import { randomUUID } from 'node:crypto';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import {
  GraphQLError,
  getVariableValues,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql/index.js';
import type { SubscriptionLimits } from '../config.js';
import type { GatewayContext } from '../http/context.js';
import { decidePersisted, PERSISTED_QUERY_NOT_FOUND, type DecideOptions } from '../persisted/resolve.js';
import type { Identity } from './identity.js';
import type { SubscriptionMetrics } from './metrics.js';
import { Generation, type SubscriptionPlan } from './planner.js';
import { SHARED_IDENTITY } from './sharing.js';
import { SharedStream, type StreamDeps } from './stream.js';
import { Subscriber, tokenExpired, tokenRevoked } from './subscriber.js';
import { ErrorCode } from '../errors.js';
import type { SupergraphGeneration } from '../supergraph/generation.js';

export interface SubscribeRequest {
  /** The document; absent (or empty) when the operation is named by a persisted id. */
  query?: string | null | undefined;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  /** `persistedQuery.sha256Hash` names a trusted document (Apollo's convention). */
  extensions?: Record<string, unknown> | null | undefined;
  /** A trusted document's id (GraphQL-over-HTTP convention), from HTTP transports. */
  documentId?: unknown;
}

export type Transport = 'ws' | 'sse' | 'multipart';

export type SubscribeOutcome =
  { subscriber: Subscriber; document: DocumentNode } | { errors: GraphQLFormattedError[] };

export interface HubDeps extends Omit<StreamDeps, 'capacity' | 'onEvent'> {
  limits: SubscriptionLimits;
  /** Parser token limit, as for queries. */
  maxTokens: number;
  buildService: (endpoint: { name: string; url: string }) => GraphQLDataSource;
  /** Apollo Server plugins whose didResolveOperation runs on each subscription (operation limits, @access). */
  checks: readonly ApolloServerPlugin<GatewayContext>[];
  metrics: SubscriptionMetrics;
  /** Trusted documents (src/persisted/): ids resolve to their body, and partner keys run only theirs. */
  persisted: DecideOptions | null;
  /** Whether ops revoked the subscriber's token since it connected (identity/token-revocations.ts). */
  isRevoked: (identity: Identity) => boolean;
}

/** Longest `extensions.lastEventId` accepted; the owning subgraph checks its form. @default 64 */
const MAX_EVENT_ID_LENGTH = 64;

/**
 * A resuming client's `extensions.lastEventId` (the `eventId` of the last event it got), null
 * when it does not resume, or a refusal.
 */
function resumePoint(request: SubscribeRequest): string | null | { errors: GraphQLFormattedError[] } {
  const value = request.extensions?.['lastEventId'];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_EVENT_ID_LENGTH) return value;
  return {
    errors: [
      {
        message: 'extensions.lastEventId must be the eventId of an event this subscription sent.',
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      },
    ],
  };
}

const unavailable = (reason: string, message: string): GraphQLFormattedError => ({
  message,
  extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, reason },
});

/**
 * Every subscription of this gateway, whatever its transport. `subscribe` checks an operation
 * exactly as far as the HTTP path checks a query (parse, validation, variables, operation limits,
 * @access; authorization of the data stays with the owning subgraph), plans it, and attaches the
 * client to a shared stream (deduplication, on by default): subscriptions of the same operation
 * with the same variables share one upstream subscription and one resolution per event, across
 * callers when the selection is the same for everyone (public: see sharing.ts; the stream then
 * runs as nobody in particular), else per caller. A resuming client (`extensions.lastEventId`)
 * gets a stream of its own that starts with the events after that one. Supergraph updates re-plan
 * live streams; a stream whose upstream subscription would change, or that is shared and no
 * longer public, ends with a retriable error instead of silently mixing two schemas.
 */
export class SubscriptionHub {
  private generation: Generation | null = null;
  private readonly streams = new Map<string, SharedStream>();
  /** Each subscriber's own identity (a shared stream's is nobody's): revocations end subscribers, not streams. */
  private readonly identities = new WeakMap<Subscriber, Identity>();

  constructor(private readonly deps: HubDeps) {}

  /** The API schema subscriptions are validated against (null before the first supergraph). */
  get schema(): GraphQLSchema | null {
    return this.generation?.schema ?? null;
  }

  supergraphUpdated(supergraph: SupergraphGeneration): void {
    const generation = new Generation(supergraph, this.deps.buildService, this.deps.maxTokens);
    this.generation = generation;
    for (const stream of [...this.streams.values()]) {
      const compiled = generation.compile(stream.source.query, stream.source.operationName);
      if (
        'plan' in compiled &&
        compiled.plan.upstreamKey === stream.plan.upstreamKey &&
        (stream.identity !== SHARED_IDENTITY || compiled.plan.shareable)
      ) {
        stream.plan = compiled.plan;
        continue;
      }
      this.deps.logger.info(
        { subscription: stream.id },
        'supergraph update changed a live subscription; ending it',
      );
      stream.end([
        unavailable('supergraph_updated', 'The graph changed; the subscription ended. Subscribe again.'),
      ]);
    }
  }

  async subscribe(
    request: SubscribeRequest,
    identity: Identity,
    transport: Transport,
  ): Promise<SubscribeOutcome> {
    const generation = this.generation;
    if (!generation)
      return { errors: [unavailable('starting', 'The gateway is starting; subscribe again shortly.')] };
    if (identity.expiresAt !== null && identity.expiresAt <= Date.now()) return { errors: [tokenExpired()] };
    // A WebSocket's identity was verified at connection_init; its token may have been revoked since.
    if (this.deps.isRevoked(identity)) return { errors: [tokenRevoked()] };
    const source = this.sourceOf(request, identity);
    if (typeof source !== 'string') return source;
    const resumeAfter = resumePoint(request);
    if (resumeAfter !== null && typeof resumeAfter === 'object') return resumeAfter;
    const operationName = request.operationName ?? null;
    const compiled = generation.compile(source, operationName);
    if ('errors' in compiled) return { errors: this.format(compiled.errors) };
    const { plan, document } = compiled;
    const operation = plan.operationContext.operation;

    const coerced = getVariableValues(
      generation.schema,
      operation.variableDefinitions ?? [],
      request.variables ?? {},
    );
    if (coerced.errors)
      return {
        errors: coerced.errors.map((e) => ({
          message: e.message,
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        })),
      };
    const variables = coerced.coerced;

    const refused = await this.check(plan, document, source, variables, identity);
    if (refused) return { errors: refused };

    const stream = this.streamFor(plan, { query: source, operationName }, variables, identity, resumeAfter);
    const { metrics } = this.deps;
    metrics.subscribers.inc({ transport });
    const subscriber = new Subscriber({
      capacity: this.deps.limits.queueSize,
      expiresAt: identity.expiresAt,
      onLeave: (left) => {
        metrics.subscribers.dec({ transport });
        stream.remove(left);
      },
      onDropped: (count) => metrics.dropped.inc(count),
    });
    this.identities.set(subscriber, identity);
    stream.add(subscriber);
    return { subscriber, document };
  }

  /**
   * The document to run: the request's, or a trusted document named by id, decided exactly as for
   * queries (src/persisted/resolve.ts): a partner key runs only the persisted operations granted to
   * it, by id; a first-party caller may send a document or a manifest id.
   */
  private sourceOf(
    request: SubscribeRequest,
    identity: Identity,
  ): string | { errors: GraphQLFormattedError[] } {
    const query = typeof request.query === 'string' && request.query !== '' ? request.query : undefined;
    const persistedQuery = request.extensions?.['persistedQuery'] as
      { sha256Hash?: unknown } | null | undefined;
    const named = persistedQuery?.sha256Hash !== undefined || request.documentId !== undefined;
    if (!this.deps.persisted) {
      if (identity.apiClient)
        return {
          errors: [
            {
              message: 'This gateway serves no persisted operations to API keys.',
              extensions: { code: ErrorCode.FORBIDDEN },
            },
          ],
        };
      return (
        query ?? {
          errors: [
            { message: 'The request must contain a query.', extensions: { code: ErrorCode.BAD_REQUEST } },
          ],
        }
      );
    }
    const decision = decidePersisted(
      { sha256Hash: persistedQuery?.sha256Hash, documentId: request.documentId, query },
      identity.apiClient,
      this.deps.persisted,
    );
    if (decision.kind === 'refuse')
      return { errors: [{ message: decision.message, extensions: { code: decision.code } }] };
    if (decision.kind === 'run') return decision.operation.body;
    if (query !== undefined) return query;
    // An id no manifest knows: Apollo's APQ answer, so APQ clients send the document next.
    if (named)
      return {
        errors: [{ message: 'PersistedQueryNotFound', extensions: { code: PERSISTED_QUERY_NOT_FOUND } }],
      };
    return {
      errors: [
        {
          message: 'The request must contain a query or a persisted operation id.',
          extensions: { code: ErrorCode.BAD_REQUEST },
        },
      ],
    };
  }

  /** Ends every subscription (shutdown): subscribers get `errors` after what is already queued. */
  closeAll(
    errors: readonly GraphQLFormattedError[] = [
      unavailable('shutting_down', 'The gateway is shutting down; subscribe again.'),
    ],
  ): void {
    for (const stream of [...this.streams.values()]) stream.end(errors);
  }

  /** Ends, at once and without their queued events, the subscriptions of tokens revoked since they began. */
  endRevoked(): void {
    for (const stream of [...this.streams.values()]) {
      for (const subscriber of [...stream.subscribers]) {
        const identity = this.identities.get(subscriber);
        if (identity && this.deps.isRevoked(identity)) subscriber.fail([tokenRevoked()], { discard: true });
      }
    }
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  private streamFor(
    plan: SubscriptionPlan,
    source: SharedStream['source'],
    variables: Record<string, unknown>,
    identity: Identity,
    resumeAfter: string | null,
  ): SharedStream {
    // A resumed subscription replays from its own point first: it shares no stream. A public one
    // is shared by every caller and runs as nobody in particular; others, by one caller's clients.
    const deduplicate = this.deps.limits.deduplicate && resumeAfter === null;
    const shared = deduplicate && plan.shareable;
    const key = deduplicate
      ? JSON.stringify([shared ? 'shared' : identity.caller, source.operationName, source.query, variables])
      : randomUUID();
    const existing = this.streams.get(key);
    if (existing) return existing;
    const streamIdentity = shared ? SHARED_IDENTITY : identity;
    const { metrics } = this.deps;
    const stream = new SharedStream(
      randomUUID(),
      plan,
      source,
      variables,
      streamIdentity,
      { ...this.deps, capacity: this.deps.limits.queueSize, onEvent: () => metrics.events.inc() },
      (closed) => {
        if (this.streams.get(key) === closed) this.streams.delete(key);
        metrics.streams.dec();
      },
      resumeAfter,
    );
    this.streams.set(key, stream);
    metrics.streams.inc();
    stream.start();
    return stream;
  }

  /** Runs the operation checks Apollo Server runs on queries; their refusal, formatted, or null. */
  private async check(
    plan: SubscriptionPlan,
    document: DocumentNode,
    source: string,
    variables: Record<string, unknown>,
    identity: Identity,
  ): Promise<GraphQLFormattedError[] | null> {
    const { operation, schema } = plan.operationContext;
    const operationName = operation.name?.value ?? null;
    const contextValue: GatewayContext = {
      caller: identity.caller,
      callerToken: null,
      apiClient: identity.apiClient,
      requestId: randomUUID(),
      traceparent: null,
      tracestate: null,
      logger: this.deps.logger,
      observed: { operationName },
    };
    // The fields these hooks read; the rest of Apollo's request context does not exist here.
    const requestContext = {
      schema,
      document,
      operation,
      operationName,
      source,
      request: { query: source, variables, operationName },
      contextValue,
      logger: this.deps.logger,
      metrics: {},
    } as unknown as GraphQLRequestContextDidResolveOperation<GatewayContext>;
    try {
      for (const plugin of this.deps.checks) {
        const listener = await plugin.requestDidStart?.(requestContext);
        await listener?.didResolveOperation?.(requestContext);
      }
      return null;
    } catch (err) {
      if (err instanceof GraphQLError) return this.format([err]);
      throw err;
    }
  }

  private format(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((error) => this.deps.formatError(error.toJSON(), error));
  }
}
