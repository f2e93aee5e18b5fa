import type { EntityChange } from '@terrarium/platform/entity-changes';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CacheHint } from './cache-control.js';
import {
  decode,
  digest,
  encode,
  entityKey,
  rootKey,
  typeOf,
  type CacheHit,
  type CacheScope,
} from './entries.js';
import { entityReference, type EntityStore, type EntityWrite } from './store.js';

export {
  addressesIn,
  nestedEntitiesIn,
  remainingSeconds,
  type CacheHit,
  type CacheScope,
} from './entries.js';

export interface EntityCacheOptions {
  store: EntityStore;
  registry: Registry;
  logger: Logger;
  /**
   * Entries live at most this long, whatever the subgraph allows (null: as the subgraph says).
   * Without Redis no invalidation reaches a gateway, so its memory entries are kept short instead.
   */
  maxAgeCapSeconds: number | null;
  /**
   * The entity types whose writes announce their changes (ENTITY_CACHE_TYPES): only these are
   * cached, and root answers only when every entity they show is one of these.
   */
  types: ReadonlySet<string>;
}

/** An invalidation seen this recently keeps answers fetched before it out of the cache. @default 10 s */
const INVALIDATION_GUARD_MS = 10_000;
/** The label of root-field answers in the metrics. */
const ROOT_LABEL = 'Query';

/**
 * The gateway's entity cache: `_entities` answers per entity and root-field answers per fetch,
 * keyed by the fetch's subgraph, operation and forwarded variables, and by who may see them (see
 * CacheScope). A fetch asks for the entities it lacks only. Entries live as long as the subgraph's
 * Cache-Control allows, and go when a subgraph announces that the entity changed (invalidate()).
 */
export class EntityCache {
  private readonly store: EntityStore;
  private readonly cap: number | null;
  private readonly logger: Logger;
  private readonly types: ReadonlySet<string>;
  /** address -> when this gateway last heard it changed. */
  private readonly invalidatedAt = new Map<string, number>();
  private readonly hits: Counter<'type'>;
  private readonly misses: Counter<'type'>;
  private readonly storedBytes: Counter<'type'>;
  private readonly invalidations: Counter<'type'>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: EntityCacheOptions) {
    this.store = options.store;
    this.cap = options.maxAgeCapSeconds;
    this.logger = options.logger;
    this.types = options.types;
    const registers = [options.registry];
    this.hits = new Counter({
      name: 'gateway_entity_cache_hits_total',
      help: 'Entities (and root-field answers, type "Query") served from the entity cache',
      labelNames: ['type'],
      registers,
    });
    this.misses = new Counter({
      name: 'gateway_entity_cache_misses_total',
      help: 'Entities (and root-field answers, type "Query") fetched because the entity cache lacked them',
      labelNames: ['type'],
      registers,
    });
    this.storedBytes = new Counter({
      name: 'gateway_entity_cache_stored_bytes_total',
      help: 'Bytes written to the entity cache',
      labelNames: ['type'],
      registers,
    });
    this.invalidations = new Counter({
      name: 'gateway_entity_cache_invalidations_total',
      help: 'Entity changes announced by subgraphs (or purged by staff) and applied here, by type',
      labelNames: ['type'],
      registers,
    });
    this.sweeper = setInterval(() => this.forgetOldInvalidations(), INVALIDATION_GUARD_MS).unref();
  }

  /** The identity of one fetch's selection: subgraph, operation text and forwarded variables. */
  static variant(serviceName: string, operation: string, variablesJson: string): string {
    return digest(`${serviceName}\n${operation}\n${variablesJson}`);
  }

  /**
   * The cached answers of an `_entities` fetch's representations (JSON texts, as sent), null
   * where there is none. A representation's entity is its type and `id`.
   */
  async lookupEntities(
    variant: string,
    representations: readonly string[],
    scope: CacheScope,
  ): Promise<(CacheHit | null)[]> {
    const keys = representations.map((representation) => entityKey(variant, representation, scope));
    const cached = keys.filter(({ typename }) => this.types.has(typename));
    if (cached.length === 0) return keys.map(() => null);
    let values: (string | null)[][];
    try {
      values = await this.store.get(cached.map(({ address, field }) => ({ address, fields: [field] })));
    } catch (err) {
      this.logger.debug({ err }, 'entity cache: read failed; fetching');
      values = cached.map(() => [null]);
    }
    const now = Date.now();
    const hits = new Map<(typeof keys)[number], CacheHit | null>();
    cached.forEach((key, index) => {
      const value = values[index]?.[0] ?? null;
      const hit = value === null ? null : decode(value, now);
      (hit ? this.hits : this.misses).inc({ type: key.typename });
      hits.set(key, hit);
    });
    return keys.map((key) => hits.get(key) ?? null);
  }

  /**
   * Keeps the answers of an `_entities` fetch: `answers[i]` (JSON text, null for none) answers
   * `representations[i]`. Nothing is kept when the hint allows no caching, private answers only
   * under their owner, and nothing about an entity that changed after `startedAt`.
   * `nested[i]`: the other entities answer i shows inside it (nestedEntitiesIn). It is kept only
   * when each is of a cached type and unchanged since `startedAt`, and is dropped with any of them.
   */
  storeEntities(
    variant: string,
    representations: readonly string[],
    answers: readonly (string | null)[],
    hint: CacheHint,
    scope: CacheScope,
    startedAt: number,
    nested: readonly (ReadonlySet<string> | undefined)[] = [],
  ): void {
    const ttl = this.ttl(hint, scope);
    if (ttl === 0) return;
    const writes: EntityWrite[] = [];
    for (let index = 0; index < representations.length; index += 1) {
      const answer = answers[index];
      if (answer == null) continue;
      const { typename, address, field } = entityKey(variant, representations[index]!, scope);
      if (!this.types.has(typename) || this.changedSince(address, startedAt)) continue;
      const shown = [...(nested[index] ?? [])];
      if (shown.some((inner) => !this.types.has(typeOf(inner)) || this.changedSince(inner, startedAt)))
        continue;
      const value = encode(hint, ttl, answer);
      writes.push({ address, field, value, ttlSeconds: ttl });
      for (const inner of shown)
        writes.push({ address: inner, field: entityReference(address, field), value: '1', ttlSeconds: ttl });
      this.storedBytes.inc({ type: typename }, value.length);
    }
    this.store.put(writes);
  }

  /** The cached answer of a root-field fetch, or null. */
  async lookupRoot(variant: string, scope: CacheScope): Promise<CacheHit | null> {
    let hit: CacheHit | null = null;
    try {
      const value = await this.store.getRoot(rootKey(variant, scope));
      hit = value === null ? null : decode(value, Date.now());
    } catch (err) {
      this.logger.debug({ err }, 'entity cache: read failed; fetching');
    }
    (hit ? this.hits : this.misses).inc({ type: ROOT_LABEL });
    return hit;
  }

  /** Keeps a root-field answer, dropped with any of the entities (`Type:id`) it shows. */
  storeRoot(
    variant: string,
    answer: string,
    addresses: readonly string[],
    hint: CacheHint,
    scope: CacheScope,
    startedAt: number,
  ): void {
    const ttl = this.ttl(hint, scope);
    if (ttl === 0 || addresses.length === 0) return;
    for (const address of addresses)
      if (!this.types.has(typeOf(address)) || this.changedSince(address, startedAt)) return;
    const value = encode(hint, ttl, answer);
    this.store.putRoot(rootKey(variant, scope), value, ttl, addresses);
    this.storedBytes.inc({ type: ROOT_LABEL }, value.length);
  }

  /** Drops what subgraphs (or staff) say changed. Resolves once the store dropped it. */
  async invalidate(changes: readonly EntityChange[]): Promise<void> {
    const now = Date.now();
    await Promise.all(
      changes.map(async ({ typename, id }) => {
        this.invalidations.inc({ type: typename });
        if (id === undefined) {
          this.invalidatedAt.set(`${typename}:`, now);
          await this.store.dropType(typename);
          return;
        }
        const address = `${typename}:${id}`;
        this.invalidatedAt.set(address, now);
        await this.store.drop(address);
      }),
    );
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return this.store.close();
  }

  private ttl(hint: CacheHint, scope: CacheScope): number {
    if (hint.maxAge <= 0) return 0;
    if (hint.scope === 'PRIVATE' && scope.anonymous) return 0;
    return this.cap === null ? hint.maxAge : Math.min(hint.maxAge, this.cap);
  }

  private changedSince(address: string, startedAt: number): boolean {
    const changed = this.invalidatedAt.get(address);
    if (changed !== undefined && changed >= startedAt) return true;
    const typeWide = this.invalidatedAt.get(`${typeOf(address)}:`);
    return typeWide !== undefined && typeWide >= startedAt;
  }

  private forgetOldInvalidations(): void {
    const before = Date.now() - INVALIDATION_GUARD_MS;
    for (const [address, at] of this.invalidatedAt) if (at < before) this.invalidatedAt.delete(address);
  }
}

/** The scope of a caller, from what the gateway verified about it. */
export function cacheScopeOf(caller: { userId: string | null; apiClientId: string | null }): CacheScope {
  if (caller.userId) return { key: `u${caller.userId}`, anonymous: false };
  if (caller.apiClientId) return { key: `k${caller.apiClientId}`, anonymous: false };
  return { key: 'anonymous', anonymous: true };
}
