import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUser } from '@terrarium/platform/caller';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
} from '@terrarium/platform/errors';
import { managesOrganization, exactlyOne } from '../access.js';
import type { Context } from '../context.js';
import { DEFAULT_CURRENCY, sameCurrency, type Money } from '../money.js';
import { currentUnitPrice } from './cart-pricing.service.js';
import {
  cartTarget,
  findCart,
  findCartView,
  loadCartView,
  newCartToken,
  tokenTarget,
  type CartTarget,
  type CartView,
} from './cart-view.service.js';
import { couponProblem, normalizeCouponCode } from './coupon.service.js';
import { optionalUuid, requireUuid } from '@terrarium/subgraph-kit/uuid';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';

/** Most of one product a cart line may hold. */
export const MAX_LINE_QUANTITY = 99;

type CartChange = (tx: EntityManager, cartId: string) => Promise<void>;

async function lockCart(tx: EntityManager, target: CartTarget) {
  const where = target.kind === 'user' ? 'user_id = ?' : 'token_hash = ? and user_id is null';
  return queryOne<{ id: string; checkoutOrderId: string | null }>(
    tx,
    `select id, checkout_order_id as "checkoutOrderId" from cart where ${where} for update`,
    [target.kind === 'user' ? target.userId : target.tokenHash],
  );
}

/**
 * Runs `change` on the target's cart under its row lock, then bumps its version (which a checkout
 * that priced the old contents will notice). A cart that a checkout has locked cannot change.
 * `create` makes the cart when missing: the user's, or a new anonymous one for a fresh token.
 */
async function changeCart(
  ctx: Context,
  target: CartTarget,
  create: boolean,
  change: CartChange,
): Promise<CartView> {
  await ctx.em.transactional(async (tx) => {
    if (create && target.kind === 'user')
      await query(tx, 'insert into cart (user_id) values (?) on conflict (user_id) do nothing', [
        target.userId,
      ]);
    if (create && target.kind === 'token')
      await query(tx, 'insert into cart (token_hash) values (?)', [target.tokenHash]);
    const cart = await lockCart(tx, target);
    if (!cart) throw new NotFoundError('Cart');
    if (cart.checkoutOrderId)
      throw new ConflictError('Your cart is being checked out; it cannot change until that finishes.');
    await change(tx, cart.id);
    await query(tx, 'update cart set version = version + 1, updated_at = now() where id = ?', [cart.id]);
  });
  const view = await findCartView(ctx.em, target);
  if (!view) throw new NotFoundError('Cart');
  return view;
}

/** The cart a write means; anonymous callers without a token have none to change. */
function existingTarget(ctx: Context, cartToken: string | null | undefined): CartTarget {
  const target = cartTarget(ctx.caller, cartToken);
  if (!target) throw new UnauthenticatedError('Sign in, or pass the cartToken of your cart.');
  return target;
}

/** The currency of what the cart holds now (a new item must match it). */
async function cartCurrency(ctx: Context, target: CartTarget): Promise<string | null> {
  const cart = await findCart(ctx.em, target);
  if (!cart) return null;
  const view = await loadCartView(ctx.em, cart, null);
  return sameCurrency(await Promise.all(view.lines.map((line) => currentUnitPrice(ctx, line))));
}

/** Checks that a product or listing can be bought, and returns its price. */
async function priceOfNewItem(
  ctx: Context,
  productId: string | null,
  listingId: string | null,
): Promise<Money> {
  if (productId) {
    const price = await ctx.loaders.productPrice.load(productId);
    if (!price) throw new NotFoundError('Product');
    return price;
  }
  const listing = await ctx.loaders.listing.load(listingId!);
  if (!listing || (listing.status === 'DRAFT' && !managesOrganization(ctx.caller, listing.organizationId)))
    throw new NotFoundError('Listing');
  if (listing.status !== 'ACTIVE')
    throw new BadUserInputError(`This listing is not for sale (it is ${listing.status}).`, 'listingId');
  return { amount: listing.priceAmount, currency: listing.currency };
}

function validateQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    throw new BadUserInputError(
      `"quantity" must be from 1 to ${MAX_LINE_QUANTITY}, got ${quantity}.`,
      'quantity',
    );
  }
}

export interface AddToCartArgs {
  productId?: string | null;
  listingId?: string | null;
  quantity: number;
  cartToken?: string | null;
}

export async function addToCart(ctx: Context, args: AddToCartArgs): Promise<CartView> {
  const productId = optionalUuid(args.productId, 'productId');
  const listingId = optionalUuid(args.listingId, 'listingId');
  exactlyOne(productId, 'productId', listingId, 'listingId');
  validateQuantity(args.quantity);
  if (listingId && args.quantity !== 1)
    throw new BadUserInputError('A listing is one animal or item: "quantity" must be 1.', 'quantity');

  const given = cartTarget(ctx.caller, args.cartToken);
  const target = given ?? tokenTarget(newCartToken());
  const price = await priceOfNewItem(ctx, productId, listingId);
  const currency = given ? await cartCurrency(ctx, given) : null;
  if (currency && currency !== price.currency) {
    throw new BadUserInputError(
      `Your cart is in ${currency}; this item is priced in ${price.currency}.`,
      productId ? 'productId' : 'listingId',
    );
  }

  return changeCart(ctx, target, given === null || target.kind === 'user', async (tx, cartId) => {
    if (listingId) {
      await query(
        tx,
        'insert into cart_line (cart_id, listing_id, quantity) values (?, ?, 1) on conflict (cart_id, listing_id) do nothing',
        [cartId, listingId],
      );
      return;
    }
    const line = await queryOne<{ quantity: number }>(
      tx,
      'select quantity from cart_line where cart_id = ? and product_id = ?',
      [cartId, productId],
    );
    const quantity = (line?.quantity ?? 0) + args.quantity;
    if (quantity > MAX_LINE_QUANTITY) {
      throw new BadUserInputError(
        `A cart holds at most ${MAX_LINE_QUANTITY} of a product; this would make ${quantity}.`,
        'quantity',
      );
    }
    if (line)
      await query(tx, 'update cart_line set quantity = ? where cart_id = ? and product_id = ?', [
        quantity,
        cartId,
        productId,
      ]);
    else
      await query(tx, 'insert into cart_line (cart_id, product_id, quantity) values (?, ?, ?)', [
        cartId,
        productId,
        quantity,
      ]);
  });
}

export function removeFromCart(
  ctx: Context,
  lineId: string,
  cartToken: string | null | undefined,
): Promise<CartView> {
  requireUuid(lineId, 'lineId');
  return changeCart(ctx, existingTarget(ctx, cartToken), false, async (tx, cartId) => {
    const removed = await query(tx, 'delete from cart_line where id = ? and cart_id = ? returning id', [
      lineId,
      cartId,
    ]);
    if (removed.length === 0) throw new NotFoundError('Cart line');
  });
}

export function updateCartLine(
  ctx: Context,
  lineId: string,
  quantity: number,
  cartToken: string | null | undefined,
): Promise<CartView> {
  requireUuid(lineId, 'lineId');
  validateQuantity(quantity);
  return changeCart(ctx, existingTarget(ctx, cartToken), false, async (tx, cartId) => {
    const line = await queryOne<{ listingId: string | null }>(
      tx,
      'select listing_id as "listingId" from cart_line where id = ? and cart_id = ?',
      [lineId, cartId],
    );
    if (!line) throw new NotFoundError('Cart line');
    if (line.listingId && quantity !== 1)
      throw new BadUserInputError('A listing line has quantity 1.', 'quantity');
    await query(tx, 'update cart_line set quantity = ? where id = ?', [quantity, lineId]);
  });
}

export async function applyCoupon(
  ctx: Context,
  rawCode: string,
  cartToken: string | null | undefined,
): Promise<CartView> {
  const target = existingTarget(ctx, cartToken);
  const code = normalizeCouponCode(rawCode);
  const coupon = await ctx.loaders.coupon.load(code);
  if (!coupon) throw new NotFoundError(`Coupon ${code}`);
  const problem = couponProblem(coupon, new Date(), (await cartCurrency(ctx, target)) ?? DEFAULT_CURRENCY);
  if (problem) throw new BadUserInputError(problem, 'code');
  return changeCart(ctx, target, target.kind === 'user', async (tx, cartId) => {
    await query(tx, 'update cart set coupon_code = ? where id = ?', [code, cartId]);
  });
}

export function removeCoupon(ctx: Context, cartToken: string | null | undefined): Promise<CartView> {
  return changeCart(ctx, existingTarget(ctx, cartToken), false, async (tx, cartId) => {
    await query(tx, 'update cart set coupon_code = null where id = ?', [cartId]);
  });
}

/**
 * Moves an anonymous cart into the signed-in user's cart: product quantities add up (capped at
 * 99), listings join once, the user's coupon wins over the anonymous cart's. The anonymous cart
 * and its token are gone afterwards.
 */
export async function mergeCart(ctx: Context, cartToken: string): Promise<CartView> {
  const userId = requireUser(ctx.caller);
  const anonymous = tokenTarget(cartToken);
  const mine: CartTarget = { kind: 'user', userId };
  await ctx.em.transactional(async (tx) => {
    // Lock order: the anonymous cart, then the user's (addToCart only ever locks one).
    const source = await lockCart(tx, anonymous);
    if (!source) throw new NotFoundError('Cart');
    await query(tx, 'insert into cart (user_id) values (?) on conflict (user_id) do nothing', [userId]);
    const cart = await lockCart(tx, mine);
    if (!cart) throw new NotFoundError('Cart');
    if (cart.checkoutOrderId)
      throw new ConflictError('Your cart is being checked out; merge after that finishes.');
    await query(
      tx,
      `insert into cart_line (cart_id, product_id, quantity)
       select ?, product_id, quantity from cart_line where cart_id = ? and product_id is not null
       on conflict (cart_id, product_id) do update set quantity = least(cart_line.quantity + excluded.quantity, ${MAX_LINE_QUANTITY})`,
      [cart.id, source.id],
    );
    await query(
      tx,
      `insert into cart_line (cart_id, listing_id, quantity)
       select ?, listing_id, 1 from cart_line where cart_id = ? and listing_id is not null
       on conflict (cart_id, listing_id) do nothing`,
      [cart.id, source.id],
    );
    await query(
      tx,
      `update cart set coupon_code = coalesce(cart.coupon_code, source.coupon_code), version = cart.version + 1, updated_at = now()
       from cart source where cart.id = ? and source.id = ?`,
      [cart.id, source.id],
    );
    await query(tx, 'delete from cart where id = ?', [source.id]);
  });
  const view = await findCartView(ctx.em, mine);
  if (!view) throw new NotFoundError('Cart');
  return view;
}
