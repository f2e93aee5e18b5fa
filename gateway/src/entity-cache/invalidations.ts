import { ENTITY_CHANGES_PATTERN, parseEntityChanges } from '@terrarium/platform/entity-changes';
import type { Logger } from 'pino';
import type { Redis } from '../redis.js';
import type { EntityCache } from './entity-cache.js';

/**
 * Applies the entity changes subgraphs announce on Redis (`<subgraph>:entity-changes`, see
 * @terrarium/platform/entity-changes) to this gateway's cache, as they come: a change reaches every
 * gateway within a Redis round trip of the write's commit. A malformed message is dropped.
 */
export function listenForEntityChanges(
  redis: Redis,
  cache: EntityCache,
  logger: Logger,
): { close(): Promise<void> } {
  // A subscribed connection can do nothing else, and must not time out while it waits.
  const subscriber = redis.duplicate({ commandTimeout: undefined });
  subscriber.on('error', (err: Error) => logger.debug({ err }, 'entity change listener: redis error'));
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
  subscriber
    .psubscribe(ENTITY_CHANGES_PATTERN)
    .catch((err: unknown) => logger.warn({ err }, 'entity change listener: psubscribe failed'));
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
