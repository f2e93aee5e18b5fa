import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';
import type { ServiceClient } from '@terrarium/subgraph-kit/service-client';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Logger } from 'pino';

/**
 * What order services need. A request's Context has all of it; the sweeper builds one per run
 * with its own EntityManager fork, so the same code finishes work either way.
 */
export interface CommerceDeps {
  em: EntityManager;
  services: ServiceClient;
  events: EventBus;
  /** Effects owed by a write are enqueued in its transaction (order events, ...). */
  jobs: JobQueue;
  logger: Logger;
}
