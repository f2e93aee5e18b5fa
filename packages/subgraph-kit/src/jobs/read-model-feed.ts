import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceClient } from '../service-client.js';
import { defineJob } from './define-job.js';
import type { JobQueue } from './job-queue.js';

/** Reports per call to the read model's owner; products' internal mutations take up to 500. @default 500 */
const PAGE = 500;

/** A feed's job: the facts of these keys, or (`all`) every key's, for a first fill or a repair. */
export type FeedPayload = { keys: string[] } | { all: true };

export interface ReadModelFeedDefinition<TReport extends object> {
  /** Queue name: `<target>.<facts>`, e.g. `products.stock-levels`. */
  name: string;
  /** The subgraph that keeps the read model. */
  target: string;
  /** Its internal mutation, taking the reports as `$reports` and answering a Boolean. */
  document: string;
  /** The mutation's field, read from the answer (recordStockLevels). */
  field: string;
  /**
   * The current facts, read when the job runs (never at enqueue time): of `keys` (a key without a
   * row reports its empty value), or one page of all keys after `afterKey`, in key order. Each
   * report carries the database's read time (`clock_timestamp()`) as `asOf`, so that the read
   * model keeps the newest of reports delivered out of order.
   */
  read(
    em: EntityManager,
    scope: { keys: readonly string[] } | { afterKey: string | null; limit: number },
  ): Promise<TReport[]>;
  /** The key of a report (its productId or animalId), for paging. */
  keyOf(report: TReport): string;
}

export interface ReadModelFeed {
  /** Owes the target the facts of `keys`, in `em`'s transaction (the outbox) with the change. */
  enqueue(jobs: JobQueue, em: EntityManager, keys: Iterable<string>): Promise<void>;
  /**
   * Owes a full sync (at most one per 5 minutes across the cluster): run at every start, it fills a
   * new read model (the demo seed) and repairs one that lost reports.
   */
  enqueueFullSync(jobs: JobQueue, em: EntityManager): Promise<void>;
  /** Delivers the reports; a refusal or an unreachable target fails the job, which retries. */
  work(jobs: JobQueue, em: () => EntityManager, services: ServiceClient): Promise<void>;
}

/**
 * A read model fed by its owner through the job queue (DESIGN.md: search read models): the owner
 * enqueues the keys whose facts changed in the changing transaction; the job reads the facts as
 * they are when it runs and sends them to the keeper's internal mutation through the service
 * client. Idempotent by construction: a report restates facts, and newer ones win.
 */
export function defineReadModelFeed<TReport extends object>(
  definition: ReadModelFeedDefinition<TReport>,
): ReadModelFeed {
  // Retried for about 34 minutes (the keeper may start after the owner), then dead-lettered.
  const job = defineJob<FeedPayload>(definition.name, { retryLimit: 10, retryDelay: 2, retryBackoff: true });
  const send = async (services: ServiceClient, reports: TReport[]) => {
    if (reports.length === 0) return;
    const result = await services.call<Record<string, boolean>>(definition.target, definition.document, {
      reports,
    });
    if (result.errors.length > 0 || result.data?.[definition.field] !== true) {
      throw new Error(
        `${definition.target} refused ${definition.field}: ${result.errors.map((e) => e.message).join('; ') || 'no answer'}`,
      );
    }
  };
  return {
    async enqueue(jobs, em, keys) {
      const unique = [...new Set(keys)];
      if (unique.length > 0) await jobs.enqueue(em, job, { keys: unique });
    },
    async enqueueFullSync(jobs, em) {
      await jobs.enqueue(em, job, { all: true }, { singletonKey: 'full-sync', singletonSeconds: 300 });
    },
    async work(jobs, em, services) {
      await jobs.work(job, async (payload) => {
        if ('keys' in payload) {
          for (let i = 0; i < payload.keys.length; i += PAGE)
            await send(services, await definition.read(em(), { keys: payload.keys.slice(i, i + PAGE) }));
          return;
        }
        for (let afterKey: string | null = null; ;) {
          const page: TReport[] = await definition.read(em(), { afterKey, limit: PAGE });
          await send(services, page);
          if (page.length < PAGE) return;
          afterKey = definition.keyOf(page[page.length - 1]!);
        }
      });
    },
  };
}
