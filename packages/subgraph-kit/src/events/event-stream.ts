import { compareEventIds, tagEvent, type EventMeta } from './event-id.js';
import type { EventLog, LoggedEvent } from './event-log.js';

/**
 * One subscriber's events of `topic`: live ones, and when `after` is given, first the retained
 * ones after it. The live listener is registered before the log is read, and every event is
 * yielded only if its id is past the last one yielded, so nothing published during the read is
 * missed or yielded twice. The first event after a resume carries `resumedAfter` and, when the
 * log no longer held `after` (trimmed, expired, or never an id of this topic), the `gap`.
 * Each yielded payload is a copy tagged with its EventMeta (./event-id.ts).
 */
export function streamEvents<T>(
  log: EventLog,
  topic: string,
  after: string | null,
): AsyncIterableIterator<T> {
  const ready: LoggedEvent[] = [];
  /** Live events that arrived while the log was being read. */
  let early: LoggedEvent[] | null = after ? [] : null;
  let last = after;
  let resume: { after: string; found: boolean } | null = null;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  let ended = false;
  let unlisten: (() => void) | null = null;

  const signal = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const accept = (event: LoggedEvent) => {
    if (last !== null && compareEventIds(event.id, last) <= 0) return;
    last = event.id;
    ready.push(event);
  };
  const setup = (async () => {
    unlisten = await log.listen(topic, (event) => {
      if (early) early.push(event);
      else accept(event);
      signal();
    });
    if (ended) return unlisten();
    if (after) {
      const { events, found } = await log.readAfter(topic, after);
      resume = { after, found };
      for (const event of events) accept(event);
      for (const event of early ?? []) accept(event);
      early = null;
    }
  })().catch((err: unknown) => {
    failure = err;
    signal();
  });

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      await setup;
      while (ready.length === 0 && !ended && failure === null)
        await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== null) throw failure;
      const event = ready.shift();
      if (!event || ended) return { done: true, value: undefined };
      const meta: EventMeta = { id: event.id };
      if (resume) {
        meta.resumedAfter = resume.after;
        if (!resume.found) meta.gap = { after: resume.after, before: event.id };
        resume = null;
      }
      return { done: false, value: tagEvent(event.payload as T, meta) };
    },
    // Straight to the listener, not through a pending next(): a client that leaves while no event
    // flows unsubscribes at once.
    async return() {
      ended = true;
      unlisten?.();
      unlisten = null;
      signal();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
