import type { OrderResolvers } from '../generated/resolvers.js';
import { money } from '../money.js';
import { ref } from '../refs.js';
import { orderForCaller } from '../services/order.service.js';

export const Order: OrderResolvers = {
  // Through the gateway an order reference is as private as `order(id)`.
  __resolveReference: ({ id }, ctx) => orderForCaller(ctx, id),
  placedAt: (order) => order.placedAt,
  paymentDueBy: (order) => order.paymentDueBy ?? null,
  payment: async (order, _, ctx) => {
    const payment = await ctx.loaders.payment.load(order.id);
    if (!payment)
      return { status: 'PENDING', amount: money(order.totalAmount, order.currency), failureReason: null };
    return {
      status: payment.status,
      amount: money(payment.amount, payment.currency),
      failureReason: payment.failureReason ?? null,
    };
  },
  refunded: async (order, _, ctx) =>
    money((await ctx.loaders.refunded.load(order.id))?.amount ?? 0, order.currency),
  lines: (order, _, ctx) => ctx.loaders.orderLines.load(order.id),
  subtotal: (order) => money(order.subtotalAmount, order.currency),
  discount: (order) => (order.discountAmount == null ? null : money(order.discountAmount, order.currency)),
  total: (order) => money(order.totalAmount, order.currency),
  coupon: (order) => order.couponCode ?? null,
  statusHistory: (order, _, ctx) => ctx.loaders.orderHistory.load(order.id),
  buyer: (order) => ref(order.buyerId),
  shippingAddress: (order) => order.shippingAddress ?? null,
  shipments: (order, _, ctx) => ctx.loaders.orderShipments.load(order.id),
};
