import { requireSelfOrStaff } from '../access.js';
import type { UserResolvers } from '../generated/resolvers.js';
import { findCartView } from '../services/cart-view.service.js';
import { ordersOfUser } from '../services/order.service.js';
import { wishlistOf } from '../services/wishlist.service.js';

export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  cart: (user, _, ctx) => {
    requireSelfOrStaff(ctx.caller, user.id);
    return findCartView(ctx.em, { kind: 'user', userId: user.id });
  },
  orders: (user, { first, after }, ctx) => ordersOfUser(ctx, user.id, first, after),
  wishlist: (user, _, ctx) => {
    requireSelfOrStaff(ctx.caller, user.id);
    return wishlistOf(ctx, user.id);
  },
};
