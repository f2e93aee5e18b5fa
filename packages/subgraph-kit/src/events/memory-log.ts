import { compareEventIds } from './event-id.js';
import { RETAINED_EVENTS_PER_TOPIC, type EventLog, type LoggedEvent } from './event-log.js';

/** Keys remembered for deduplication, the newest. @default 10_000 */
const REMEMBERED_KEYS = 10_000;

/**
 * The event log of one process without Redis: the same ids, retention and deduplication as the
 * Redis log, in memory. Subscribers of other processes never see these events.
 */
export function createMemoryLog(): EventLog {
  const topics = new Map<string, { events: LoggedEvent[]; listeners: Set<(event: LoggedEvent) => void> }>();
  const keys = new Set<string>();
  let lastMs = 0;
  let sequence = 0;

  const topicOf = (name: string) => {
    let topic = topics.get(name);
    if (!topic) topics.set(name, (topic = { events: [], listeners: new Set() }));
    return topic;
  };
  /** Redis Streams' rule: the clock's milliseconds, a sequence within one, never going back. */
  const nextId = () => {
    const now = Date.now();
    if (now > lastMs) [lastMs, sequence] = [now, 0];
    else sequence += 1;
    return `${lastMs}-${sequence}`;
  };

  return {
    async append(name, payload, key) {
      if (key !== null) {
        const scoped = `${name}\n${key}`;
        if (keys.has(scoped)) return null;
        keys.add(scoped);
        if (keys.size > REMEMBERED_KEYS) keys.delete(keys.values().next().value as string);
      }
      const topic = topicOf(name);
      const event = { id: nextId(), payload };
      topic.events.push(event);
      if (topic.events.length > RETAINED_EVENTS_PER_TOPIC) topic.events.shift();
      for (const listener of [...topic.listeners]) listener(event);
      return event.id;
    },
    async listen(name, onEvent) {
      const topic = topicOf(name);
      topic.listeners.add(onEvent);
      return () => {
        topic.listeners.delete(onEvent);
        if (topic.listeners.size === 0 && topic.events.length === 0) topics.delete(name);
      };
    },
    async readAfter(name, after) {
      const events = topics.get(name)?.events ?? [];
      return {
        events: events.filter((event) => compareEventIds(event.id, after) > 0),
        found: events.some((event) => event.id === after),
      };
    },
    // Nobody in another process can hear it; nobody in this one listens to broadcasts.
    async broadcast() {},
    async close() {
      topics.clear();
    },
  };
}
