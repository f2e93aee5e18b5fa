import { requireUser } from '@terrarium/platform/caller';
import { NotFoundError } from '@terrarium/platform/errors';
import { exactlyOne } from '../access.js';
import type { Context } from '../context.js';
import { WishlistItem, type WishlistItemEntity } from '../entities/wishlist-item.entity.js';
import { visibleListing } from './listing.service.js';
import { optionalUuid, requireUuid } from '@terrarium/subgraph-kit/uuid';
import { query } from '@terrarium/subgraph-kit/sql';

export function wishlistOf(ctx: Context, userId: string): Promise<WishlistItemEntity[]> {
  return ctx.em.find(
    WishlistItem,
    { userId },
    { orderBy: { createdAt: 'desc', id: 'desc' }, disableIdentityMap: true },
  );
}

/** Saving the same product or listing twice keeps the first item. */
export async function addToWishlist(
  ctx: Context,
  args: { productId?: string | null; listingId?: string | null },
): Promise<WishlistItemEntity> {
  const userId = requireUser(ctx.caller);
  const productId = optionalUuid(args.productId, 'productId');
  const listingId = optionalUuid(args.listingId, 'listingId');
  exactlyOne(productId, 'productId', listingId, 'listingId');
  if (productId && !(await ctx.loaders.productPrice.load(productId))) throw new NotFoundError('Product');
  if (listingId && !visibleListing(ctx, await ctx.loaders.listing.load(listingId)))
    throw new NotFoundError('Listing');
  const conflictTarget = productId ? '(user_id, product_id)' : '(user_id, listing_id)';
  await query(
    ctx.em,
    `insert into wishlist_item (user_id, product_id, listing_id) values (?, ?, ?) on conflict ${conflictTarget} do nothing`,
    [userId, productId, listingId],
  );
  const item = await ctx.em.findOne(WishlistItem, productId ? { userId, productId } : { userId, listingId }, {
    disableIdentityMap: true,
  });
  if (!item) throw new NotFoundError('Wishlist item');
  return item;
}

export async function removeFromWishlist(ctx: Context, itemId: string): Promise<boolean> {
  const userId = requireUser(ctx.caller);
  requireUuid(itemId, 'itemId');
  const removed = await query(ctx.em, 'delete from wishlist_item where id = ? and user_id = ? returning id', [
    itemId,
    userId,
  ]);
  return removed.length > 0;
}
