import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';
import type { ServiceClient } from '@terrarium/subgraph-kit/service-client';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Logger } from 'pino';
import type { PaymentProvider } from '../payments/provider.js';
import type { CommerceSettings } from '../settings.js';

/**
 * What order services need. A request's Context has all of it; a job or the sweeper builds one
 * per run with its own EntityManager fork (forkDeps), so the same code finishes work either way.
 */
export interface CommerceDeps {
  em: EntityManager;
  services: ServiceClient;
  events: EventBus;
  /** Effects owed by a write are enqueued in its transaction (order events, refunds, mails, ...). */
  jobs: JobQueue;
  logger: Logger;
}

/** The process's singletons, which commerce's job handlers and the sweeper close over. */
export interface CommerceJobDeps {
  orm: Orm;
  services: ServiceClient;
  events: EventBus;
  jobs: JobQueue;
  logger: Logger;
  payments: PaymentProvider;
  settings: CommerceSettings;
}

/** CommerceDeps with an EntityManager of its own, for one run of a job. */
export function forkDeps(deps: CommerceJobDeps): CommerceDeps {
  return {
    em: deps.orm.em.fork() as EntityManager,
    services: deps.services,
    events: deps.events,
    jobs: deps.jobs,
    logger: deps.logger,
  };
}
