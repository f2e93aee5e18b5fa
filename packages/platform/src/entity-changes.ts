/**
 * How a subgraph tells every gateway that entities changed, so their entity caches drop what they
 * hold of them: one spelling of the Redis channel and message for the publishers (the subgraph
 * kit's `announceEntityChanges`, called after a write committed) and the listener
 * (gateway/src/entity-cache/invalidations.ts).
 *
 * An entity is named by its type and its `id` key, as the graph spells them (`Product`, a UUID);
 * a change without `id` stands for every entity of the type (a staff purge).
 */
export interface EntityChange {
  typename: string;
  id?: string;
}

/** The event bus topic; the bus prefixes it with the subgraph's name (`inventory:entity-changes`). */
export const ENTITY_CHANGES_TOPIC = 'entity-changes';
/** What gateways subscribe to: the topic of every subgraph. */
export const ENTITY_CHANGES_PATTERN = `*:${ENTITY_CHANGES_TOPIC}`;

/** A message carries at most this many changes; publishers split longer lists. */
export const MAX_CHANGES_PER_MESSAGE = 500;

const TYPE_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const MAX_ID_LENGTH = 200;

/** The wire form of a list of changes. */
export function entityChangesMessage(changes: readonly EntityChange[]): { changes: EntityChange[] } {
  return { changes: changes.map(({ typename, id }) => (id === undefined ? { typename } : { typename, id })) };
}

/** The changes of a message from an untrusted wire (a Redis message), or null when malformed. */
export function parseEntityChanges(value: unknown): EntityChange[] | null {
  if (typeof value !== 'object' || value === null) return null;
  const changes = (value as Record<string, unknown>)['changes'];
  if (!Array.isArray(changes) || changes.length > MAX_CHANGES_PER_MESSAGE) return null;
  const parsed: EntityChange[] = [];
  for (const change of changes as unknown[]) {
    if (typeof change !== 'object' || change === null) return null;
    const { typename, id } = change as Record<string, unknown>;
    if (typeof typename !== 'string' || !TYPE_NAME.test(typename)) return null;
    if (id === undefined) {
      parsed.push({ typename });
      continue;
    }
    if (typeof id !== 'string' || id.length < 1 || id.length > MAX_ID_LENGTH) return null;
    parsed.push({ typename, id });
  }
  return parsed;
}

/**
 * The changes a subgraph's answer lists in `extensions.entityChanges`, or null when malformed. One
 * answer may list more than a message holds (a bulk write): each slice of MAX_CHANGES_PER_MESSAGE
 * is checked as a message would be, none dropped for the list's length.
 */
export function parseAnnouncedChanges(announced: unknown): EntityChange[] | null {
  if (!Array.isArray(announced)) return null;
  const changes: EntityChange[] = [];
  for (let start = 0; start < announced.length; start += MAX_CHANGES_PER_MESSAGE) {
    const slice = parseEntityChanges({ changes: announced.slice(start, start + MAX_CHANGES_PER_MESSAGE) });
    if (!slice) return null;
    changes.push(...slice);
  }
  return changes;
}
