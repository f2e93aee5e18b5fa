import type { WishlistItemResolvers } from '../generated/resolvers.js';
import { refOrNull } from '../refs.js';
import { visibleListing } from '../services/listing.service.js';

export const WishlistItem: WishlistItemResolvers = {
  product: (item) => refOrNull(item.productId),
  listing: async (item, _, ctx) =>
    item.listingId ? visibleListing(ctx, await ctx.loaders.listing.load(item.listingId)) : null,
  addedAt: (item) => item.createdAt,
};
