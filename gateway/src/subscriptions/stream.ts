import type { GraphQLFormattedError } from 'graphql/index.js';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import type { SubscriptionPlan } from './planner.js';
import { DropOldestQueue } from './queue.js';
import { resolveEvent, type FormatError } from './resolve.js';
import type { Identity } from './identity.js';
import type { EventResult, Subscriber } from './subscriber.js';
import type { UpstreamPool } from './upstream.js';

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

const resolutionFailed = (): GraphQLFormattedError => ({
  message: 'Internal server error while resolving this event.',
  extensions: { code: 'INTERNAL_SERVER_ERROR' },
});

/**
 * One upstream subscription and its subscribers. Events are resolved one at a time, in arrival
 * order, and each result goes to every subscriber; events that arrive faster than they resolve
 * wait in a bounded inbox. Clients share a stream only when they are the same caller with the
 * same operation and variables (see SubscriptionHub), so one resolution is right for all of them.
 */
export class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  private readonly inbox: DropOldestQueue<EventResult>;
  private unsubscribe: (() => void) | null = null;
  private pumping = false;
  /** Set when the upstream ended: null while it runs, [] for a normal completion. */
  private ended: readonly GraphQLFormattedError[] | null = null;
  private closed = false;
  private readonly logger: Logger;

  constructor(
    readonly id: string,
    public plan: SubscriptionPlan,
    readonly source: { query: string; operationName: string | null },
    readonly variables: Record<string, unknown>,
    readonly identity: Identity,
    private readonly deps: StreamDeps,
    private readonly onClose: (stream: SharedStream) => void,
  ) {
    this.inbox = new DropOldestQueue(deps.capacity);
    this.logger = deps.logger.child({ subscription: id, subgraph: plan.subgraph, operationName: source.operationName });
  }

  start(): void {
    const { plan } = this;
    const fromSupergraph = plan.generation.subgraphUrl(plan.subgraph) ?? '';
    const variables: Record<string, unknown> = {};
    for (const name of plan.upstream.variableUsages) if (name in this.variables) variables[name] = this.variables[name];
    this.unsubscribe = this.deps.upstream.subscribe(
      plan.subgraph,
      this.deps.subgraphUrl(plan.subgraph, fromSupergraph),
      this.identity.caller,
      { query: plan.upstream.query, operationName: plan.upstream.operationName, variables },
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

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.inbox.takeNow(); next; next = this.inbox.takeNow()) {
        const result = await this.resolve(next.item);
        for (const subscriber of this.subscribers) subscriber.deliver(result);
      }
    } finally {
      this.pumping = false;
    }
    if (this.ended && this.inbox.size === 0) this.finish(this.ended);
  }

  private async resolve(event: EventResult): Promise<EventResult> {
    const { caller, apiClient } = this.identity;
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
    try {
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
