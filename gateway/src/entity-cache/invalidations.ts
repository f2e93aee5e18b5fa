import { ENTITY_CHANGES_PATTERN, parseEntityChanges } from '@terrarium/platform/entity-changes';
import type { Logger } from 'pino';
import type { Redis } from '../redis.js';
import type { EntityCache } from './entity-cache.js';

export interface EntityChangeListener {
  /** True while this gateway is subscribed: every change announced now reaches it. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Applies the entity changes subgraphs announce on Redis (`<subgraph>:entity-changes`, see
 * @terrarium/platform/entity-changes) to this gateway's cache, as they come: a change reaches every
 * gateway within a Redis round trip of the write's commit. A malformed message is dropped.
 * `onDeaf` runs when the subscription drops (changes may be missed from then on).
 */
export function listenForEntityChanges(
  redis: Redis,
  cache: EntityCache,
  logger: Logger,
  onDeaf: () => void,
): EntityChangeListener {
  // A subscribed connection can do nothing else, and must not time out while it waits.
  const subscriber = redis.duplicate({ commandTimeout: undefined });
  let listening = false;
  let closed = false;
  const deaf = () => {
    if (!listening) return;
    listening = false;
    logger.warn('entity change listener lost Redis; the gateway memory tier is off until it is back');
    onDeaf();
  };
  const subscribe = () =>
    subscriber
      .psubscribe(ENTITY_CHANGES_PATTERN)
      .then(() => {
        if (!closed) listening = true;
      })
      .catch((err: unknown) => logger.warn({ err }, 'entity change listener: psubscribe failed'));
  subscriber.on('error', (err: Error) => logger.debug({ err }, 'entity change listener: redis error'));
  subscriber.on('close', deaf);
  subscriber.on('reconnecting', deaf);
  subscriber.on('ready', () => void subscribe());
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    let changes;
    try {
      changes = parseEntityChanges(JSON.parse(message));
    } catch {
      changes = null;
    }
    if (!changes) {
      logger.warn({ channel }, 'malformed entity change message dropped');
      return;
    }
    cache
      .invalidate(changes)
      .catch((err: unknown) => logger.warn({ err, channel }, 'entity change not applied'));
  });
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
