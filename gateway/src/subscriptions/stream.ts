import type { GraphQLFormattedError } from 'graphql/index.js';
import type { Logger } from 'pino';
import type { GatewayContext } from '../http/context.js';
import type { SubscriptionPlan } from './planner.js';
import { DropOldestQueue } from './queue.js';
import { resolveEvent, type FormatError } from './resolve.js';
import type { Identity } from './identity.js';
import type { EventResult, Subscriber } from './subscriber.js';
import type { UpstreamPool } from './upstream.js';
import { ErrorCode } from '../errors.js';

export interface StreamDeps {
  upstream: UpstreamPool;
  /** The URL to reach a subgraph at (the supergraph's, or its <NAME>_URL override). */
  subgraphUrl: (name: string, fromSupergraph: string) => string;
  signCaller: (caller: Identity['caller']) => Promise<string | null>;
  formatError: FormatError;
  logger: Logger;
  /** Events waiting for resolution, per stream; past it the oldest are dropped. */
  capacity: number;
  onEvent: () => void;
}

/**
 * Events of one stream resolved at once (their fetches overlap; results still go out in arrival
 * order). Bounds the load one hot stream puts on the other subgraphs. @default 4
 */
const MAX_RESOLVING = 4;

const resolutionFailed = (): GraphQLFormattedError => ({
  message: 'Internal server error while resolving this event.',
  extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
});

/**
 * What a client is told of an event beside its data (`extensions`): its `eventId` (to resume
 * after), a `gap` the subgraph could not replay, and on the first event of a resumed
 * subscription, the `resumedAfter` the client asked for. The gateway's own resumes after an
 * upstream reconnection are not the client's business; their gaps are.
 */
function eventExtensions(
  upstream: Record<string, unknown> | undefined,
  clientResume: string | null,
): Record<string, unknown> {
  const extensions: Record<string, unknown> = {};
  if (typeof upstream?.['eventId'] === 'string') extensions['eventId'] = upstream['eventId'];
  if (upstream?.['gap'] && typeof upstream['gap'] === 'object') extensions['gap'] = upstream['gap'];
  if (clientResume !== null && upstream?.['resumedAfter'] === clientResume)
    extensions['resumedAfter'] = clientResume;
  return extensions;
}

/**
 * One upstream subscription and its subscribers. Events are resolved a few at a time and
 * delivered in arrival order, each result to every subscriber; events that arrive faster than
 * they resolve wait in a bounded inbox (drop-oldest). Clients share a stream only when they run
 * the same operation with the same variables and are the same caller, or the selection is public
 * (see SubscriptionHub and sharing.ts; `identity` is then nobody's), so one resolution is right for
 * all of them.
 */
export class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  private readonly inbox: DropOldestQueue<EventResult>;
  private unsubscribe: (() => void) | null = null;
  /** Resolutions under way, in arrival order. */
  private resolving: Promise<EventResult>[] = [];
  private delivering = false;
  /** Set when the upstream ended: null while it runs, [] for a normal completion. */
  private ended: readonly GraphQLFormattedError[] | null = null;
  private closed = false;
  private readonly logger: Logger;
  /** The client's resume point, until the upstream's first event confirmed it. */
  private clientResume: string | null;

  constructor(
    readonly id: string,
    public plan: SubscriptionPlan,
    readonly source: { query: string; operationName: string | null },
    readonly variables: Record<string, unknown>,
    readonly identity: Identity,
    private readonly deps: StreamDeps,
    private readonly onClose: (stream: SharedStream) => void,
    /** A resumed subscription: the last event id its client got (such a stream is never shared). */
    readonly resumeAfter: string | null = null,
  ) {
    this.clientResume = resumeAfter;
    this.inbox = new DropOldestQueue(deps.capacity);
    this.logger = deps.logger.child({
      subscription: id,
      subgraph: plan.subgraph,
      operationName: source.operationName,
    });
  }

  start(): void {
    const { plan } = this;
    const fromSupergraph = plan.generation.subgraphUrl(plan.subgraph) ?? '';
    const variables: Record<string, unknown> = {};
    for (const name of plan.upstream.variableUsages)
      if (name in this.variables) variables[name] = this.variables[name];
    this.unsubscribe = this.deps.upstream.subscribe(
      plan.subgraph,
      this.deps.subgraphUrl(plan.subgraph, fromSupergraph),
      this.identity.caller,
      {
        query: plan.upstream.query,
        operationName: plan.upstream.operationName,
        variables,
        ...(this.resumeAfter ? { extensions: { lastEventId: this.resumeAfter } } : {}),
      },
      {
        next: (event) => {
          this.deps.onEvent();
          const dropped = this.inbox.push(event);
          if (dropped > 0) for (const subscriber of this.subscribers) subscriber.noteDropped(dropped);
          void this.pump();
        },
        error: (errors) => this.end(errors),
        complete: () => this.end([]),
      },
    );
  }

  add(subscriber: Subscriber): void {
    if (this.closed || subscriber.done) return;
    this.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.close();
  }

  /** The upstream ended (or the gateway ends it): subscribers get what is queued, then the end. */
  end(errors: readonly GraphQLFormattedError[]): void {
    if (this.ended) return;
    this.ended = errors;
    this.unsubscribe?.();
    this.unsubscribe = null;
    void this.pump();
  }

  private startResolving(): void {
    while (this.resolving.length < MAX_RESOLVING) {
      const next = this.inbox.takeNow();
      if (!next) return;
      this.resolving.push(this.resolve(next.item));
    }
  }

  private async pump(): Promise<void> {
    this.startResolving();
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.resolving.length > 0) {
        // resolve() never rejects.
        const result = await this.resolving[0]!;
        this.resolving.shift();
        for (const subscriber of this.subscribers) subscriber.deliver(result);
        this.startResolving();
      }
    } finally {
      this.delivering = false;
    }
    if (this.ended && this.inbox.size === 0 && this.resolving.length === 0) this.finish(this.ended);
  }

  /** Never rejects: a failure becomes this event's error. Called in arrival order. */
  private async resolve(event: EventResult): Promise<EventResult> {
    const extensions = eventExtensions(event.extensions, this.clientResume);
    if (typeof event.extensions?.['eventId'] === 'string') this.clientResume = null;
    const result = await this.resolveData(event);
    return Object.keys(extensions).length > 0
      ? { ...result, extensions: { ...result.extensions, ...extensions } }
      : result;
  }

  private async resolveData(event: EventResult): Promise<EventResult> {
    const { caller, apiClient } = this.identity;
    try {
      const context: GatewayContext = {
        caller,
        callerToken: await this.deps.signCaller(caller),
        apiClient,
        requestId: this.id,
        traceparent: null,
        tracestate: null,
        logger: this.logger,
        observed: {},
      };
      return await resolveEvent(this.plan, event, this.variables, context, this.deps.formatError);
    } catch (err) {
      this.logger.error({ err }, 'subscription event resolution failed');
      return { data: null, errors: [resolutionFailed()] };
    }
  }

  private finish(errors: readonly GraphQLFormattedError[]): void {
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) {
      if (errors.length > 0) subscriber.fail(errors);
      else subscriber.complete();
    }
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.inbox.end(true);
    this.onClose(this);
  }
}
