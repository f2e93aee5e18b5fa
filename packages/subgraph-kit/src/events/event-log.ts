/** One event as the log stores it. */
export interface LoggedEvent {
  id: string;
  payload: unknown;
}

/** The events after a point, and whether the log still held that point (false: a gap is possible). */
export interface ReadAfter {
  events: LoggedEvent[];
  found: boolean;
}

/**
 * Where subscription events live: appended with an id, kept for a while (so a subscriber can
 * resume after the last one it got), and pushed live to listeners. Redis (./redis-log.ts) shares
 * it between every instance of the subgraph; the in-process log (./memory-log.ts) serves one
 * process without Redis.
 */
export interface EventLog {
  /**
   * Appends and publishes `payload`; resolves to its id, or null when `key` was appended before
   * (a job run twice publishes its event once).
   */
  append(topic: string, payload: unknown, key: string | null): Promise<string | null>;
  /** Registers a live listener; resolves once every later append reaches it. Resolves to its removal. */
  listen(topic: string, onEvent: (event: LoggedEvent) => void): Promise<() => void>;
  /** The retained events after `after`, oldest first. */
  readAfter(topic: string, after: string): Promise<ReadAfter>;
  /** A plain message to other processes (no id, no log): JSON of the payload on `<namespace>:<topic>`. */
  broadcast(topic: string, payload: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Events kept per topic for resuming, the newest; older ones are trimmed. @default 1_000 */
export const RETAINED_EVENTS_PER_TOPIC = 1_000;
/** A topic's log (and a key's record) expires this long after its last event. @default 86_400 s (a day) */
export const LOG_TTL_SECONDS = 86_400;
