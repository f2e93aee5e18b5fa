import type { Logger } from 'pino';
import { createRedisClient, type Redis, type RedisTarget } from '@terrarium/platform/redis';
import { LOG_TTL_SECONDS, RETAINED_EVENTS_PER_TOPIC, type EventLog, type LoggedEvent } from './event-log.js';

/**
 * One script, so that an event is recorded, logged and published atomically and in log order:
 * the key's record (SET NX: a second append of the same key does nothing), the stream entry
 * (XADD with an approximate MAXLEN trim, the id Redis gives it), the stream's expiry, and the
 * live message `{"id":...,"payload":...}` on the topic's channel. Publishing inside the script
 * means two appends can never reach listeners in an order other than their ids'.
 * KEYS: stream, key record ('' for none). ARGV: channel, payload JSON, max length, TTL seconds.
 */
const APPEND_SCRIPT = `
if KEYS[2] ~= '' and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'p', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[1], '{"id":"' .. id .. '","payload":' .. ARGV[2] .. '}')
return id
`;

type AppendCommand = (
  stream: string,
  keyRecord: string,
  channel: string,
  payload: string,
  maxLength: number,
  ttlSeconds: number,
) => Promise<string | null>;

/** XRANGE's reply: `[id, [field, value, ...]]` per entry. */
type StreamEntries = [string, string[]][];

/**
 * The event log in Redis, shared by every instance of a subgraph: one stream per topic
 * (`<namespace>:log:<topic>`, the newest RETAINED_EVENTS_PER_TOPIC entries, expiring a day after
 * the last), a channel per topic for live delivery (`<namespace>:events:<topic>`) and one
 * subscriber connection per process for all of its listeners. Broadcasts keep the plain format
 * other processes read (`<namespace>:<topic>`, JSON of the payload: the gateway's revocation
 * and feature-flag listeners).
 */
export function createRedisLog(namespace: string, target: RedisTarget, logger: Logger): EventLog {
  const connect = () => {
    const client = createRedisClient(target, { maxRetriesPerRequest: 2 });
    client.on('error', (err) => logger.warn({ err }, 'event log redis error'));
    return client;
  };
  const publisher: Redis = connect();
  // ioredis re-subscribes this connection's channels after a reconnect by itself.
  const subscriber: Redis = connect();
  publisher.defineCommand('appendEvent', { numberOfKeys: 2, lua: APPEND_SCRIPT });
  const appendEvent = (publisher as unknown as { appendEvent: AppendCommand }).appendEvent.bind(publisher);

  const stream = (topic: string) => `${namespace}:log:${topic}`;
  const channel = (topic: string) => `${namespace}:events:${topic}`;
  const listeners = new Map<string, Set<(event: LoggedEvent) => void>>();
  /** SUBSCRIBE of a channel, shared by the listeners that arrive while it is under way. */
  const subscribing = new Map<string, Promise<unknown>>();

  subscriber.on('message', (from: string, message: string) => {
    const set = listeners.get(from);
    if (!set) return;
    let event: LoggedEvent;
    try {
      event = JSON.parse(message) as LoggedEvent;
    } catch (err) {
      logger.warn({ err, channel: from }, 'unreadable event message ignored');
      return;
    }
    for (const listener of [...set]) listener(event);
  });

  return {
    async append(topic, payload, key) {
      const record = key === null ? '' : `${namespace}:log-key:${topic}:${key}`;
      return appendEvent(
        stream(topic),
        record,
        channel(topic),
        JSON.stringify(payload),
        RETAINED_EVENTS_PER_TOPIC,
        LOG_TTL_SECONDS,
      );
    },
    async listen(topic, onEvent) {
      const name = channel(topic);
      let set = listeners.get(name);
      if (!set) {
        listeners.set(name, (set = new Set()));
        subscribing.set(
          name,
          subscriber.subscribe(name).finally(() => subscribing.delete(name)),
        );
      }
      set.add(onEvent);
      try {
        // Resolves once Redis confirmed the subscription: later appends reach this listener.
        await subscribing.get(name);
      } catch (err) {
        set.delete(onEvent);
        if (set.size === 0 && listeners.get(name) === set) listeners.delete(name);
        throw err;
      }
      return () => {
        const current = listeners.get(name);
        if (!current?.delete(onEvent) || current.size > 0) return;
        listeners.delete(name);
        subscriber.unsubscribe(name).catch((err: unknown) => logger.warn({ err }, 'unsubscribe failed'));
      };
    },
    async readAfter(topic, after) {
      const key = stream(topic);
      const results = await publisher
        .multi()
        .xrange(key, after, after, 'COUNT', 1)
        .xrange(key, `(${after}`, '+')
        .exec();
      const [at, later] = (results ?? []).map(([err, value]) => {
        if (err) throw err;
        return value as StreamEntries;
      });
      return {
        found: (at ?? []).length > 0,
        events: (later ?? []).map(([id, fields]) => ({ id, payload: JSON.parse(fields[1] ?? 'null') })),
      };
    },
    async broadcast(topic, payload) {
      await publisher.publish(`${namespace}:${topic}`, JSON.stringify(payload));
    },
    async close() {
      listeners.clear();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
