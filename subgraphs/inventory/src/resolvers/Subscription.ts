import type { SubscriptionResolvers } from '../generated/resolvers.js';
import { stockChangedTopic } from '../services/events.js';
import type { Context } from '../context.js';
import type { ProductRef } from '../types.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Subscription: SubscriptionResolvers = {
  stockChanged: {
    // Stock levels are public (the storefront shows them), so anyone may listen.
    subscribe: (_, { productId }, { events }) => events.subscribe<ProductRef>(stockChangedTopic(requireUuid(productId, 'productId'))),
    // The event is the Product reference; its fields resolve as usual (stock here, the rest
    // through the gateway). A subscription keeps one context, hence one set of loaders, for its
    // whole life: forget the level the previous event loaded.
    resolve: (payload: ProductRef, _args: unknown, { loaders }: Context) => {
      loaders.stock.clear(payload.id);
      return payload;
    },
  },
};
