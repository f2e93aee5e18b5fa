/**
 * Event ids: `<milliseconds>-<sequence>`, Redis Streams' own id format (the in-process log makes
 * the same kind), increasing within one topic. A client that resumes a subscription names the
 * last id it received; nothing else about an id is meaningful to it.
 */
const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && EVENT_ID.test(value);
}

/** Negative when `a` came before `b` in the same topic, 0 when equal, positive after. */
export function compareEventIds(a: string, b: string): number {
  const [, aMs = '0', aSeq = '0'] = EVENT_ID.exec(a) ?? [];
  const [, bMs = '0', bSeq = '0'] = EVENT_ID.exec(b) ?? [];
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}

/**
 * What a subscriber is told about one event beside its payload: its id, and on the first event
 * after a resume, the id it resumed after and, when the log no longer held that point, the gap:
 * events after `gap.after` and before `gap.before` may have been missed.
 */
export interface EventMeta {
  id: string;
  resumedAfter?: string;
  gap?: { after: string; before: string };
}

const metas = new WeakMap<object, EventMeta>();

/** Tags a payload object (a per-subscriber copy) with its meta. */
export function tagEvent<T>(payload: T, meta: EventMeta): T {
  if (typeof payload !== 'object' || payload === null) return payload;
  const copy = (Array.isArray(payload) ? [...payload] : { ...payload }) as T & object;
  metas.set(copy, meta);
  return copy;
}

/** The meta of a payload a subscription iterator yielded, or undefined (not from the event log). */
export function eventMetaOf(payload: unknown): EventMeta | undefined {
  return typeof payload === 'object' && payload !== null ? metas.get(payload) : undefined;
}
