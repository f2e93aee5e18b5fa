import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';

/**
 * What gateways hear when a partner key is revoked: on the event bus's `api-client-revoked` topic,
 * i.e. the Redis channel `ops:api-client-revoked` (gateway/src/identity/api-keys.ts listens).
 * `keyHash` is the SHA-256 (hex) the gateways cache verdicts under; it is no secret (a 256-bit
 * key cannot be recovered from it).
 */
export interface ApiClientRevoked {
  id: string;
  keyHash: string;
}

export const API_CLIENT_REVOKED_TOPIC = 'api-client-revoked';

/** Published from a committed job, never from the revoking transaction (which might roll back). */
export const apiClientRevokedJob = defineJob<ApiClientRevoked>('api-client.revoked', {
  retryLimit: 5,
  retryDelay: 1,
  retryBackoff: true,
});

/** Publishing twice is harmless (gateways drop a cache entry), so a retried job needs no once(). */
export async function workApiClientRevoked(jobs: JobQueue, events: EventBus): Promise<void> {
  await jobs.work(apiClientRevokedJob, async (event) => {
    await events.broadcast<ApiClientRevoked>(API_CLIENT_REVOKED_TOPIC, {
      id: event.id,
      keyHash: event.keyHash,
    });
  });
}
