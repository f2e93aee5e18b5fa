import { NotFoundError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { SubscriptionResolvers } from '../generated/resolvers.js';
import { MARKETPLACE_TOPIC, type MarketplaceEvent } from '../marketplace/activity.job.js';
import { orderTopic } from '../services/order-status.service.js';
import { orderForCaller } from '../services/order.service.js';

interface OrderEvent {
  id: string;
}

export const Subscription: SubscriptionResolvers = {
  orderStatusChanged: {
    // Authorized once, when the subscription starts: only the buyer and staff may follow an order.
    subscribe: async (_, { orderId }, ctx) => {
      await orderForCaller(ctx, orderId);
      return ctx.events.subscribe<OrderEvent>(orderTopic(orderId));
    },
    // One context serves the whole subscription: drop what its loaders cached for earlier events.
    resolve: async (event: OrderEvent, _args: unknown, ctx: Context) => {
      ctx.loaders.orderHistory.clear(event.id);
      ctx.loaders.payment.clear(event.id);
      ctx.loaders.refunded.clear(event.id);
      const order = await ctx.loaders.order.clear(event.id).load(event.id);
      if (!order) throw new NotFoundError('Order');
      return order;
    },
  },
  // Public: anyone may watch new listings and sales.
  marketplaceActivity: {
    subscribe: (_, __, ctx) => ctx.events.subscribe<MarketplaceEvent>(MARKETPLACE_TOPIC),
    resolve: (event: MarketplaceEvent) => event,
  },
};
