import type { EntityManager } from '@mikro-orm/postgresql';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { ServiceClient } from '@terrarium/subgraph-kit/service-client';
import { query } from '@terrarium/subgraph-kit/sql';

/** An animal that reached its buyer: inventory makes the buyer its keeper. */
export interface KeeperAssignment {
  animalId: string;
  keeperId: string;
}

/**
 * `commerce.assign-keeper`: retried with backoff (2 s, 4 s, ... 10 attempts, about 34 min) while
 * inventory is down, then kept in `commerce.assign-keeper.dead`; the delivery never waits for it.
 */
export const assignKeeperJob = defineJob<KeeperAssignment>('commerce.assign-keeper', {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 60,
});

/**
 * Owes inventory the keeper of every animal in the delivered shipments, in the transaction that
 * marked them DELIVERED (the outbox): an animal gets its keeper if and only if its delivery committed.
 */
export async function enqueueKeepers(
  jobs: JobQueue,
  tx: EntityManager,
  shipmentIds: readonly string[],
  keeperId: string,
): Promise<void> {
  if (shipmentIds.length === 0) return;
  const animals = await query<{ animalId: string }>(
    tx,
    'select animal_id as "animalId" from order_line where shipment_id in (?) and animal_id is not null order by position',
    [[...shipmentIds]],
  );
  for (const { animalId } of animals) await jobs.enqueue(tx, assignKeeperJob, { animalId, keeperId });
}

const ASSIGN = /* GraphQL */ `
  mutation AssignKeeper($animalId: ID!, $keeperId: ID!) {
    assignKeeper(animalId: $animalId, keeperId: $keeperId)
  }
`;

/**
 * Calls inventory's internal `assignKeeper` as this service. Setting an animal's keeper to the
 * same user again changes nothing, so a job run twice (a worker killed after inventory answered)
 * has its effect once. An error answer throws, so the job is retried.
 */
export async function workKeeperAssignments(jobs: JobQueue, services: ServiceClient): Promise<void> {
  await jobs.work(assignKeeperJob, async ({ animalId, keeperId }) => {
    const result = await services.call<{ assignKeeper: boolean }>('inventory', ASSIGN, {
      animalId,
      keeperId,
    });
    if (result.errors.length > 0 || result.data?.assignKeeper !== true) {
      throw new Error(
        `inventory refused the keeper of animal ${animalId}: ${result.errors.map((e) => e.message).join('; ') || 'no answer'}`,
      );
    }
  });
}
