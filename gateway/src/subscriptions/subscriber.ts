import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql/index.js';
import { DropOldestQueue } from './queue.js';
import { ErrorCode } from '../errors.js';

/** One event as a client receives it: data and errors already shaped and formatted. */
export type EventResult = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>;

/** setTimeout's ceiling (about 24.8 days); a later expiry re-arms the timer. */
const MAX_TIMER_MS = 2_147_483_647;

export interface SubscriberOptions {
  /** Events held while the client is slow to take them. */
  capacity: number;
  /** When the client's token expires (ms since the epoch); null never. */
  expiresAt: number | null;
  /** Called once when the subscriber leaves, whatever the reason. */
  onLeave: (subscriber: Subscriber) => void;
  /** Called with each count of events this subscriber lost to its bounded queue. */
  onDropped: (count: number) => void;
}

export const tokenExpired = (): GraphQLFormattedError => ({
  message: 'Your token expired; the subscription ended. Subscribe again with a fresh token.',
  extensions: { code: ErrorCode.UNAUTHENTICATED, reason: 'token_expired' },
});

export const tokenRevoked = (): GraphQLFormattedError => ({
  message:
    'Your token was revoked (signed out, password reset or roles changed); the subscription ended. Sign in again.',
  extensions: { code: ErrorCode.UNAUTHENTICATED, reason: 'token_revoked' },
});

/**
 * One client's subscription, as every transport consumes it: an async iterator of results (it
 * never throws) and, once it is done, `terminalErrors` saying why it ended early (null for a
 * normal completion). A slow client loses its oldest events, and the next event it gets says how
 * many in `extensions.droppedEvents`. `return()` resolves at once, even while a `next()` waits,
 * so a client's "complete" or a closed socket frees everything immediately.
 */
export class Subscriber implements AsyncIterableIterator<EventResult> {
  terminalErrors: readonly GraphQLFormattedError[] | null = null;
  private readonly queue: DropOldestQueue<EventResult>;
  private timer: NodeJS.Timeout | undefined;
  private left = false;

  constructor(private readonly options: SubscriberOptions) {
    this.queue = new DropOldestQueue(options.capacity);
    if (options.expiresAt !== null) this.armExpiry(options.expiresAt);
  }

  get done(): boolean {
    return this.left;
  }

  deliver(result: EventResult): void {
    const dropped = this.queue.push(result);
    if (dropped > 0) this.options.onDropped(dropped);
  }

  /** Events the shared stream had to drop before they reached any subscriber. */
  noteDropped(count: number): void {
    this.queue.noteDropped(count);
    this.options.onDropped(count);
  }

  /** The source completed: the client gets what is queued, then completion. */
  complete(): void {
    this.queue.end();
    this.leave();
  }

  /** Ends with errors; `discard` drops queued events (an expired token sees no more data). */
  fail(errors: readonly GraphQLFormattedError[], { discard = false } = {}): void {
    if (this.queue.closed) return;
    this.terminalErrors = errors;
    this.queue.end(discard);
    this.leave();
  }

  async next(): Promise<IteratorResult<EventResult, undefined>> {
    const taken = await this.queue.take();
    if (!taken) return { done: true, value: undefined };
    if (taken.dropped === 0) return { done: false, value: taken.item };
    // The shared result object goes to every subscriber: copy before annotating.
    const value: EventResult = {
      ...taken.item,
      extensions: { ...taken.item.extensions, droppedEvents: taken.dropped },
    };
    return { done: false, value };
  }

  /** The client went away or unsubscribed. */
  async return(): Promise<IteratorResult<EventResult, undefined>> {
    this.queue.end(true);
    this.leave();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private armExpiry(expiresAt: number): void {
    const wait = expiresAt - Date.now();
    if (wait <= 0) {
      this.fail([tokenExpired()], { discard: true });
      return;
    }
    this.timer = setTimeout(() => this.armExpiry(expiresAt), Math.min(wait, MAX_TIMER_MS));
    this.timer.unref();
  }

  private leave(): void {
    clearTimeout(this.timer);
    if (this.left) return;
    this.left = true;
    this.options.onLeave(this);
  }
}
