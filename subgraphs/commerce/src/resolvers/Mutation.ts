import { requireStaff } from '@terrarium/platform/caller';
import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import type { MutationResolvers } from '../generated/resolvers.js';
import { Coupon } from '../entities/coupon.entity.js';
import type { CommerceSettings } from '../settings.js';
import {
  addToCart,
  applyCoupon,
  mergeCart,
  removeCoupon,
  removeFromCart,
  updateCartLine,
} from '../services/cart.service.js';
import { checkout } from '../checkout/checkout.service.js';
import { insertCoupon } from '../services/coupon.service.js';
import { createListing, updateListing } from '../services/listing.service.js';
import { cancelOrder, refundOrder, updateOrderStatus } from '../services/order.service.js';
import { payOrder } from '../payments/pay-order.service.js';
import { addToWishlist, removeFromWishlist } from '../services/wishlist.service.js';
import { confirmDelivery } from '../shipping/delivery.service.js';
import { shipShipment } from '../shipping/ship.service.js';

/** Mutations are thin: each calls one service. Checkout and payOrder need the settings (payment deadline, provider). */
export function createMutationResolvers(settings: CommerceSettings): MutationResolvers {
  return {
    addToCart: (_, args, ctx) => addToCart(ctx, { ...args, quantity: args.quantity ?? 1 }),
    removeFromCart: (_, { lineId, cartToken }, ctx) => removeFromCart(ctx, lineId, cartToken),
    updateCartLine: (_, { lineId, quantity, cartToken }, ctx) =>
      updateCartLine(ctx, lineId, quantity, cartToken),
    applyCoupon: (_, { code, cartToken }, ctx) => applyCoupon(ctx, code, cartToken),
    removeCoupon: (_, { cartToken }, ctx) => removeCoupon(ctx, cartToken),
    mergeCart: (_, { cartToken }, ctx) => mergeCart(ctx, cartToken),

    checkout: (_, { idempotencyKey, shippingAddress }, ctx) =>
      checkout(ctx, idempotencyKey, settings.paymentTimeoutMs, shippingAddress),
    payOrder: (_, { orderId, paymentMethod }, ctx) =>
      payOrder(ctx, settings.paymentProvider, orderId, paymentMethod),
    cancelOrder: (_, { orderId }, ctx) => cancelOrder(ctx, orderId),
    refundOrder: (_, { orderId, reason }, ctx) => refundOrder(ctx, orderId, reason),
    updateOrderStatus: (_, { orderId, status }, ctx) => updateOrderStatus(ctx, orderId, status),

    createListing: (_, { input }, ctx) => createListing(ctx, input),
    updateListing: (_, { id, input }, ctx) => updateListing(ctx, id, input),

    createCoupon: async (_, { input }, ctx) => {
      requireStaff(ctx.caller);
      const code = await ctx.em.transactional(async (tx) => {
        const inserted = await insertCoupon(tx, {
          ...input,
          validFrom: toDate(input.validFrom),
          validUntil: toDate(input.validUntil),
        });
        await enqueueAudit(ctx.jobs, tx, {
          actor: ctx.caller.userId,
          action: 'createCoupon',
          subject: `Coupon:${inserted}`,
          diff: { ...input },
        });
        return inserted;
      });
      return ctx.em.findOneOrFail(Coupon, { code }, { disableIdentityMap: true });
    },

    addToWishlist: (_, args, ctx) => addToWishlist(ctx, args),
    removeFromWishlist: (_, { itemId }, ctx) => removeFromWishlist(ctx, itemId),

    shipShipment: (_, { id, carrier, trackingNumber }, ctx) => shipShipment(ctx, id, carrier, trackingNumber),
    confirmDelivery: (_, { shipmentId }, ctx) => confirmDelivery(ctx, shipmentId),
  };
}

/** The DateTime scalar parses to a Date; the generated input type also admits a string. */
function toDate(value: Date | string | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}
