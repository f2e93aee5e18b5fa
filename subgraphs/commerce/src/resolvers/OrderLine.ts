import type { OrderLineResolvers } from '../generated/resolvers.js';
import { money } from '../money.js';
import { refOrNull } from '../refs.js';

export const OrderLine: OrderLineResolvers = {
  unitPrice: (line) => money(line.unitAmount, line.currency),
  product: (line) => refOrNull(line.productId),
  listing: (line, _, ctx) => (line.listingId ? ctx.loaders.listing.load(line.listingId) : null),
};
