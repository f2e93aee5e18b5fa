import type { ConnectionType } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Caller } from '@terrarium/platform/caller';
import type { Cache } from '../cache.js';

/**
 * Where one operation's lag-tolerant reads go. Subgraph code passes it to the reads that may be
 * served by a replica (`{ connectionType: reads.connectionType }` in FindOptions, or as the
 * options of the kit's sql `query`); every other read stays on the primary.
 *
 * `write` (the primary) until the kit knows the operation: it becomes `read` only for a query
 * (never a mutation, whose own reads must see its writes, nor a subscription event) whose caller
 * wrote nothing through this subgraph within the lag budget, and only when replicas are
 * configured. `read` still means the primary whenever no replica is fresh (replica-driver.ts).
 */
export interface ReadRoute {
  connectionType: ConnectionType;
}

export function primaryReads(): ReadRoute {
  return { connectionType: 'write' };
}

/**
 * Read-your-writes across instances: after a mutation, its caller's reads go to the primary for
 * `windowMs`, on every instance of the subgraph, because the marker lives in the subgraph's cache
 * (Redis when configured; with the in-memory cache it holds for this process only, enough for one
 * instance). Together with the driver's rule (a replica is read only while its data is at most the
 * same `windowMs` old), a caller's read after the window reaches a replica that holds the write:
 * the write committed before the marker was set, so more than `windowMs` ago.
 *
 * Anonymous callers have no identity to remember: their reads always may go to a replica (no
 * anonymous mutation writes lag-tolerant data). A marker that cannot be read (Redis failing) routes
 * to the primary; one that cannot be written sends all of this instance's reads to the primary for
 * the window, since the other instances would not know.
 */
export interface ReadYourWrites {
  /** True when `caller`'s reads may go to a replica now. */
  mayReadReplica(caller: Caller): Promise<boolean>;
  /** Remembers that `caller` wrote (called once a mutation has run, before its response leaves). */
  recordWrite(caller: Caller): Promise<void>;
}

export interface ReadYourWritesOptions {
  cache: Cache;
  /** @default the replica lag budget (config.replicaMaxLagMs) */
  windowMs: number;
  logger: Logger;
}

/** The marker's key for a caller: user, partner client or service; null for anonymous. */
export function writerKey(caller: Caller): string | null {
  if (caller.userId) return `wrote:user:${caller.userId}`;
  if (caller.apiClientId) return `wrote:client:${caller.apiClientId}`;
  if (caller.service) return `wrote:service:${caller.service}`;
  return null;
}

export function createReadYourWrites(options: ReadYourWritesOptions): ReadYourWrites {
  const { cache, windowMs, logger } = options;
  /** performance.now() until which this instance reads only the primary (a marker write failed). */
  let primaryOnlyUntil = -Infinity;
  return {
    async mayReadReplica(caller) {
      if (performance.now() < primaryOnlyUntil) return false;
      const key = writerKey(caller);
      if (key === null) return true;
      try {
        return (await cache.getOrThrow<number>(key)) === undefined;
      } catch (err) {
        logger.debug({ err }, 'read-your-writes marker unreadable: reading the primary');
        return false;
      }
    },
    async recordWrite(caller) {
      const key = writerKey(caller);
      if (key === null) return;
      try {
        await cache.setOrThrow(key, Date.now(), windowMs);
      } catch (err) {
        primaryOnlyUntil = performance.now() + windowMs;
        logger.warn(
          { err, windowMs },
          'read-your-writes marker not stored: this instance reads the primary only',
        );
      }
    },
  };
}
