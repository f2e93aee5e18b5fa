import { NotFoundError } from '@terrarium/platform/errors';
import type { MarketplaceActivityResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';

export const MarketplaceActivity: MarketplaceActivityResolvers = {
  at: (event) => new Date(event.at),
  // The listing as it is now. It was public when the event happened (ACTIVE, or sold), so it is
  // shown even if its organization has since taken it back to DRAFT.
  listing: async (event, _, ctx) => {
    const listing = await ctx.loaders.listing.load(event.listingId);
    if (!listing) throw new NotFoundError('Listing');
    return listing;
  },
  organization: (event) => ref(event.organizationId),
};
