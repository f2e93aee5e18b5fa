import type { ApolloServerPlugin } from '@apollo/server';
import {
  ENTITY_CHANGES_TOPIC,
  MAX_CHANGES_PER_MESSAGE,
  entityChangesMessage,
  type EntityChange,
} from '@terrarium/platform/entity-changes';
import type { Logger } from 'pino';
import type { EventBus } from './pubsub.js';

export type { EntityChange };

/**
 * The entities an operation changed, told to the gateways' entity caches once it ends. A write
 * calls `changed('Product', id)` after (or inside) the transaction that changes what the graph
 * shows of the entity; announcing one that rolled back only costs a cache miss.
 */
export interface EntityChanges {
  changed(typename: string, ...ids: string[]): void;
  /** Every entity of the type (a staff purge). */
  changedAll(typename: string): void;
  /** Changes worked out elsewhere, e.g. from the rows a write returned. */
  add(changes: readonly EntityChange[]): void;
  readonly list: readonly EntityChange[];
}

export function collectEntityChanges(): EntityChanges {
  const seen = new Set<string>();
  const list: EntityChange[] = [];
  return {
    changed(typename, ...ids) {
      for (const id of ids) {
        const key = `${typename}:${id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push({ typename, id });
      }
    },
    changedAll(typename) {
      if (seen.has(typename)) return;
      seen.add(typename);
      list.push({ typename });
    },
    add(changes) {
      for (const { typename, id } of changes) {
        if (id === undefined) this.changedAll(typename);
        else this.changed(typename, id);
      }
    },
    list,
  };
}

/**
 * Tells every gateway (through Redis; nothing without it) that these entities changed: for writes
 * off the request path (jobs), once their transaction committed. A Redis failure is logged, not
 * thrown: the entries then live out their TTL.
 */
export async function announceEntityChanges(
  events: EventBus,
  changes: readonly EntityChange[],
  logger: Logger,
): Promise<void> {
  for (let start = 0; start < changes.length; start += MAX_CHANGES_PER_MESSAGE) {
    const chunk = changes.slice(start, start + MAX_CHANGES_PER_MESSAGE);
    try {
      await events.broadcast(ENTITY_CHANGES_TOPIC, entityChangesMessage(chunk));
    } catch (err) {
      logger.warn({ err, changes: chunk.length }, 'entity changes not announced; gateway caches expire them');
    }
  }
}

/**
 * Announces what an operation changed when it ends, before its answer leaves: to every gateway
 * through Redis, and in `extensions.entityChanges` to the gateway that sent it, which drops them
 * before answering its client, so a client reads its own writes even without Redis.
 */
export async function publishEntityChanges(
  events: EventBus,
  logger: Logger,
  changes: EntityChanges,
  answer: { extensions?: Record<string, unknown> } | undefined,
): Promise<void> {
  const list = changes.list;
  if (list.length === 0) return;
  await announceEntityChanges(events, list, logger);
  if (answer) answer.extensions = { ...answer.extensions, entityChanges: list };
}

/** `publishEntityChanges` for every operation Apollo Server runs. */
export function createEntityChangesPlugin<TContext extends { entityChanges: EntityChanges }>(
  events: EventBus,
  logger: Logger,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const answer = response.body.kind === 'single' ? response.body.singleResult : undefined;
          await publishEntityChanges(events, logger, contextValue.entityChanges, answer);
        },
      };
    },
  };
}
