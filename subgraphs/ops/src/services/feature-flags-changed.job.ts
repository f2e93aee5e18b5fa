import { FEATURE_FLAGS_TOPIC } from '@terrarium/platform/feature-flags';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';

/**
 * A committed flag change, announced on ops' event bus (Redis channel `ops:feature-flags-changed`)
 * from a job enqueued with the change (the outbox): every FlagCache listening drops its copy.
 * Publishing twice only causes one more reload, so a retried job needs no once().
 */
export const featureFlagsChangedJob = defineJob<{ key: string }>('feature-flags.changed', {
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
});

export async function workFeatureFlagsChanged(jobs: JobQueue, events: EventBus): Promise<void> {
  await jobs.work(featureFlagsChangedJob, async ({ key }) => {
    await events.broadcast(FEATURE_FLAGS_TOPIC, { key });
  });
}
