import type { ListingResolvers } from '../generated/resolvers.js';
import { money } from '../money.js';
import { ref, refOrNull } from '../refs.js';
import { visibleListing } from '../services/listing.service.js';

export const Listing: ListingResolvers = {
  __resolveReference: async ({ id }, ctx) => visibleListing(ctx, await ctx.loaders.listing.load(id)),
  price: (listing) => money(listing.priceAmount, listing.currency),
  animal: (listing) => refOrNull(listing.animalId),
  product: (listing) => refOrNull(listing.productId),
  organization: (listing) => ref(listing.organizationId),
};
