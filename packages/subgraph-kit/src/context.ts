import { randomUUID } from 'node:crypto';
import type { EntityManager as PgEntityManager } from '@mikro-orm/postgresql';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import type { FeatureFlags } from '@terrarium/platform/feature-flags';
import type { Cache } from './cache.js';
import { OperationCachePolicy } from './cache-policy.js';
import { collectEntityChanges, type EntityChanges } from './entity-changes.js';
import type { Orm } from './orm.js';
import type { EventBus } from './pubsub.js';
import type { JobQueue } from './jobs/job-queue.js';
import { primaryReads, type ReadRoute } from './replicas/read-your-writes.js';

export type { ReadRoute };
import type { ServiceClient } from './service-client.js';

/** What every resolver receives. */
export interface SubgraphContext<TLoaders = unknown> {
  /** This operation's own EntityManager fork; the global one is never used. */
  em: PgEntityManager;
  /**
   * Where this operation's lag-tolerant reads go (catalog, search, listings, reviews): pass
   * `reads.connectionType` to them. The primary unless replicas are configured and the kit found
   * this a query by a caller without a recent write (replicas/read-your-writes.ts).
   */
  reads: ReadRoute;
  caller: Caller;
  loaders: TLoaders;
  cache: Cache;
  events: EventBus;
  services: ServiceClient;
  /** The subgraph's job queue: `jobs.enqueue(em, job, payload)` in the write's transaction. */
  jobs: JobQueue;
  /** ops' feature flags through OpenFeature: `flags.isEnabled('key', ctx.caller, fallback)`. */
  flags: FeatureFlags;
  logger: Logger;
  requestId: string;
  /** What this operation's writes changed, for the gateways' entity caches: `entityChanges.changed('Product', id)`. */
  entityChanges: EntityChanges;
  /** The answer's cache policy, from the `@cacheControl` hints of the fields it resolves (cache-policy.ts). */
  cachePolicy: OperationCachePolicy;
}

export interface LoaderDeps {
  em: PgEntityManager;
  /** The operation's ReadRoute, read when a batch runs (it is decided after the loaders are made). */
  reads: ReadRoute;
  cache: Cache;
  caller: Caller;
  /** For loaders that batch calls to another subgraph (commerce's product prices). */
  services: ServiceClient;
}

/** Builds a context for one operation (HTTP request, graphql-ws subscription or test). */
export type CreateContext<TLoaders> = (caller?: Caller, requestId?: string) => SubgraphContext<TLoaders>;

export interface ContextDeps<TLoaders> {
  orm: Orm;
  cache: Cache;
  events: EventBus;
  services: ServiceClient;
  jobs: JobQueue;
  flags: FeatureFlags;
  logger: Logger;
  createLoaders: (deps: LoaderDeps) => TLoaders;
}

/**
 * One EntityManager fork and fresh DataLoaders per operation, so that no operation sees another's
 * identity map or batch cache; a child logger carries the request id, made when first used (most
 * operations log nothing, and a pino child costs a few microseconds per request).
 */
export function createContextFactory<TLoaders>(deps: ContextDeps<TLoaders>): CreateContext<TLoaders> {
  const { orm, cache, events, services, jobs, flags, logger, createLoaders } = deps;
  return (caller = ANONYMOUS, requestId = randomUUID()) => {
    const em = orm.em.fork() as PgEntityManager;
    const reads = primaryReads();
    const entityChanges = collectEntityChanges();
    const requestServices = passOnEntityChanges(services, entityChanges);
    let requestLogger: Logger | undefined;
    return {
      em,
      reads,
      caller,
      loaders: createLoaders({ em, reads, cache, caller, services: requestServices }),
      cache,
      events,
      services: requestServices,
      jobs,
      flags,
      get logger() {
        return (requestLogger ??= logger.child({ requestId }));
      },
      requestId,
      entityChanges,
      cachePolicy: new OperationCachePolicy(),
    };
  };
}

/**
 * The service client as one operation uses it: what another subgraph's writes changed (checkout
 * reserving stock in inventory) joins this operation's own changes, so the gateway that sent it
 * drops them before answering. Without Redis that answer is the only way the gateway hears of them.
 */
function passOnEntityChanges(services: ServiceClient, changes: EntityChanges): ServiceClient {
  return {
    async call<T>(subgraph: string, document: DocumentNode | string, variables?: Record<string, unknown>) {
      const result = await services.call<T>(subgraph, document, variables);
      changes.add(result.entityChanges);
      return result;
    },
  };
}
