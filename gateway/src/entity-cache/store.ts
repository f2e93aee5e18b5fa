import { LRUCache } from 'lru-cache';

/**
 * Where the entity cache keeps its entries. An *address* names one entity (`Product:<id>`); under
 * it live the entries of every (subgraph, selection, scope) that fetched it, as fields. A *root*
 * entry is one root-field fetch's answer, referenced from the addresses of the entities it holds,
 * so dropping an entity drops the root answers that showed it too.
 *
 * Values are opaque strings (see entity-cache.ts); expiry is checked by the reader, the store only
 * makes sure nothing outlives its longest TTL.
 */
export interface EntityStore {
  /** For each read, the values of its fields, in order (null: absent). */
  get(reads: readonly EntityRead[]): Promise<(string | null)[][]>;
  getRoot(key: string): Promise<string | null>;
  /** Written in the background: a failed write is a later miss. */
  put(writes: readonly EntityWrite[]): void;
  putRoot(key: string, value: string, ttlSeconds: number, addresses: readonly string[]): void;
  /** Drops the entity's entries and the root answers and other entities' entries that showed it. */
  drop(address: string): Promise<void>;
  /** Drops every entity of a type (staff purge without a key); resolves to how many were held. */
  dropType(typename: string): Promise<number>;
  close(): Promise<void>;
}

export interface EntityRead {
  address: string;
  fields: readonly string[];
}

export interface EntityWrite {
  address: string;
  field: string;
  value: string;
  ttlSeconds: number;
}

/** The prefix of the fields that reference root entries from an entity's address. */
export const ROOT_REFERENCE = 'r:';
/**
 * The prefix of the fields that reference another entity's entry showing this entity inside it
 * (`e:<address>\n<field>`): dropping this entity drops that entry too.
 */
export const ENTITY_REFERENCE = 'e:';

/** The reference field, under a nested entity's address, to the entry `field` of `address`. */
export function entityReference(address: string, field: string): string {
  return `${ENTITY_REFERENCE}${address}\n${field}`;
}

interface Held {
  fields: Map<string, string>;
  expiresAt: number;
}

/**
 * The store of one gateway process without Redis: two LRUs bounded by bytes (entities, root
 * answers). An entity's fields share its LRU slot; the slot's TTL is its longest field's.
 */
export function createMemoryEntityStore(maxBytes: number): EntityStore {
  const entities = new LRUCache<string, Held>({
    maxSize: Math.max(1, Math.floor(maxBytes * 0.7)),
    sizeCalculation: (held) => {
      let size = 64;
      for (const [field, value] of held.fields) size += field.length + value.length;
      return size;
    },
  });
  const roots = new LRUCache<string, string>({
    maxSize: Math.max(1, Math.floor(maxBytes * 0.3)),
    sizeCalculation: (value, key) => value.length + key.length + 32,
  });
  const live = (held: Held | undefined): Held | undefined =>
    held && held.expiresAt > Date.now() ? held : undefined;
  const hold = (address: string, field: string, value: string, ttlSeconds: number) => {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    const held = live(entities.get(address)) ?? { fields: new Map<string, string>(), expiresAt };
    held.fields.set(field, value);
    held.expiresAt = Math.max(held.expiresAt, expiresAt);
    // set() again so the LRU re-measures the slot.
    entities.set(address, held);
  };
  return {
    async get(reads) {
      return reads.map(({ address, fields }) => {
        const held = live(entities.get(address));
        return fields.map((field) => held?.fields.get(field) ?? null);
      });
    },
    async getRoot(key) {
      return roots.get(key) ?? null;
    },
    put(writes) {
      for (const { address, field, value, ttlSeconds } of writes) hold(address, field, value, ttlSeconds);
    },
    putRoot(key, value, ttlSeconds, addresses) {
      roots.set(key, value, { ttl: ttlSeconds * 1000 });
      for (const address of addresses) hold(address, ROOT_REFERENCE + key, '1', ttlSeconds);
    },
    async drop(address) {
      const held = entities.get(address);
      if (!held) return;
      for (const field of held.fields.keys()) {
        if (field.startsWith(ROOT_REFERENCE)) roots.delete(field.slice(ROOT_REFERENCE.length));
        if (field.startsWith(ENTITY_REFERENCE)) {
          const separator = field.indexOf('\n');
          entities
            .get(field.slice(ENTITY_REFERENCE.length, separator))
            ?.fields.delete(field.slice(separator + 1));
        }
      }
      entities.delete(address);
    },
    async dropType(typename) {
      const prefix = `${typename}:`;
      const addresses = [...entities.keys()].filter((address) => address.startsWith(prefix));
      for (const address of addresses) await this.drop(address);
      return addresses.length;
    },
    async close() {
      entities.clear();
      roots.clear();
    },
  };
}
