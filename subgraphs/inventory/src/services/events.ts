import type { SubgraphContext } from '@terrarium/subgraph-kit/context';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';
import type { ProductRef } from '../types.js';

export const stockChangedTopic = (productId: string): string => `stockChanged:${productId}`;

/**
 * Tells subscribers that these products' stock changed. Called after the transaction committed:
 * a failed publish (Redis down) is logged, never turned into a failed mutation, because the
 * change itself has already happened.
 */
export async function publishStockChanged(events: EventBus, logger: SubgraphContext['logger'], productIds: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(productIds)].map((id) =>
      events.publish<ProductRef>(stockChangedTopic(id), { id }).catch((err: unknown) => logger.warn({ err, productId: id }, 'stockChanged publish failed')),
    ),
  );
}
