import { NotFoundError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { CartLineEntity } from '../entities/cart.entity.js';
import { DEFAULT_CURRENCY, money, sameCurrency, type Money } from '../money.js';
import type { CartPricing, CartView } from './cart-view.service.js';
import { couponProblem, discountFor } from './coupon.service.js';

type Priced = Pick<CartLineEntity, 'productId' | 'listingId'>;

/** The current price of one unit: the listing's own price, or the catalog price from products. */
export async function currentUnitPrice(ctx: Context, line: Priced): Promise<Money> {
  if (line.listingId) {
    const listing = await ctx.loaders.listing.load(line.listingId);
    if (!listing) throw new NotFoundError('Listing');
    return money(listing.priceAmount, listing.currency);
  }
  const price = await ctx.loaders.productPrice.load(line.productId!);
  if (!price) throw new NotFoundError(`Product ${line.productId}`);
  return price;
}

async function compute(ctx: Context, view: CartView): Promise<CartPricing> {
  const units = await Promise.all(view.lines.map((line) => currentUnitPrice(ctx, line)));
  const currency = sameCurrency(units) ?? DEFAULT_CURRENCY;
  const subtotal = money(
    view.lines.reduce((sum, line, index) => sum + units[index]!.amount * line.quantity, 0),
    currency,
  );
  const coupon = view.couponCode ? await ctx.loaders.coupon.load(view.couponCode) : null;
  // A coupon that stopped being usable stays on the cart (checkout will refuse it) but takes nothing off.
  const discount =
    coupon && !couponProblem(coupon, new Date(), currency) ? discountFor(coupon, subtotal) : null;
  return { subtotal, discount, total: money(subtotal.amount - (discount?.amount ?? 0), currency) };
}

/** Subtotal, discount and total of a cart at current prices, computed once per view. */
export function cartPricing(ctx: Context, view: CartView): Promise<CartPricing> {
  view.pricing ??= compute(ctx, view);
  return view.pricing;
}
