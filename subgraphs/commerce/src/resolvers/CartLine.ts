import type { CartLineResolvers } from '../generated/resolvers.js';
import { refOrNull } from '../refs.js';
import { currentUnitPrice } from '../services/cart-pricing.service.js';

export const CartLine: CartLineResolvers = {
  product: (line) => refOrNull(line.productId),
  listing: (line, _, ctx) => (line.listingId ? ctx.loaders.listing.load(line.listingId) : null),
  unitPrice: (line, _, ctx) => currentUnitPrice(ctx, line),
};
