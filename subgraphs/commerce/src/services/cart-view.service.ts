import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import { Cart, CartLine, type CartEntity, type CartLineEntity } from '../entities/cart.entity.js';
import type { Money } from '../money.js';

/** What the Cart type resolves from: the cart row, its lines, and the token when the caller holds it. */
export interface CartView {
  id: string;
  userId: string | null;
  version: number;
  couponCode: string | null;
  checkoutOrderId: string | null;
  lines: CartLineEntity[];
  /** The anonymous cart's token, only for the request that presented or created it. */
  token: string | null;
  /** Filled once per view by cart-pricing.service.ts (subtotal, discount and total share it). */
  pricing?: Promise<CartPricing>;
}

export interface CartPricing {
  subtotal: Money;
  discount: Money | null;
  total: Money;
}

/** Which cart a request means: an anonymous cart by its token, or the signed-in user's cart. */
export type CartTarget =
  { kind: 'user'; userId: string } | { kind: 'token'; token: string; tokenHash: string };

/** 32 random bytes, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newCartToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only a hash is stored: a database read does not hand out usable cart tokens. */
export function hashCartToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenTarget(token: string): CartTarget {
  if (!TOKEN.test(token)) throw new BadUserInputError('"cartToken" is not a cart token.', 'cartToken');
  return { kind: 'token', token, tokenHash: hashCartToken(token) };
}

/** The token's cart when a token is given (signed in or not), else the signed-in user's; null for neither. */
export function cartTarget(caller: Caller, cartToken: string | null | undefined): CartTarget | null {
  if (cartToken != null) return tokenTarget(cartToken);
  return caller.userId ? { kind: 'user', userId: caller.userId } : null;
}

export async function findCart(em: EntityManager, target: CartTarget): Promise<CartEntity | null> {
  const where =
    target.kind === 'user' ? { userId: target.userId } : { tokenHash: target.tokenHash, userId: null };
  return em.findOne(Cart, where, { disableIdentityMap: true });
}

export async function loadCartView(
  em: EntityManager,
  cart: CartEntity,
  token: string | null,
): Promise<CartView> {
  const lines = await em.find(
    CartLine,
    { cartId: cart.id },
    { orderBy: { createdAt: 'asc', id: 'asc' }, disableIdentityMap: true },
  );
  return {
    id: cart.id,
    userId: cart.userId ?? null,
    version: cart.version,
    couponCode: cart.couponCode ?? null,
    checkoutOrderId: cart.checkoutOrderId ?? null,
    lines,
    token,
  };
}

/** The target's cart as a view, or null when it has none. */
export async function findCartView(em: EntityManager, target: CartTarget): Promise<CartView | null> {
  const cart = await findCart(em, target);
  return cart ? loadCartView(em, cart, target.kind === 'token' ? target.token : null) : null;
}

/**
 * What a checkout key is bound to: the lines and the coupon, not the prices (prices are frozen
 * into the order the first time; a replay returns that order).
 */
export function cartHash(
  lines: readonly Pick<CartLineEntity, 'productId' | 'listingId' | 'quantity'>[],
  couponCode: string | null,
): string {
  const parts = lines
    .map((line) =>
      line.listingId ? `listing:${line.listingId}` : `product:${line.productId}:${line.quantity}`,
    )
    .sort();
  return createHash('sha256')
    .update(JSON.stringify({ lines: parts, coupon: couponCode }))
    .digest('hex');
}
