import type { CartResolvers } from '../generated/resolvers.js';
import { cartPricing } from '../services/cart-pricing.service.js';

export const Cart: CartResolvers = {
  lines: (cart) => cart.lines,
  subtotal: async (cart, _, ctx) => (await cartPricing(ctx, cart)).subtotal,
  discount: async (cart, _, ctx) => (await cartPricing(ctx, cart)).discount,
  total: async (cart, _, ctx) => (await cartPricing(ctx, cart)).total,
  coupon: (cart) => cart.couponCode,
  token: (cart) => cart.token,
};
