import type { QueryResolvers } from '../generated/resolvers.js';
import { cartTarget, findCartView } from '../services/cart-view.service.js';
import { visibleListing } from '../services/listing.service.js';
import { orderForCaller } from '../services/order.service.js';
import { storeShipments } from '../shipping/shipments.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Query: QueryResolvers = {
  listing: async (_, { id }, ctx) =>
    visibleListing(ctx, await ctx.loaders.listing.load(requireUuid(id, 'id'))),
  cart: async (_, { cartToken }, ctx) => {
    const target = cartTarget(ctx.caller, cartToken);
    return target ? findCartView(ctx.em, target) : null;
  },
  order: (_, { id }, ctx) => orderForCaller(ctx, id),
  storeShipments: (_, args, ctx) => storeShipments(ctx, args),
};
