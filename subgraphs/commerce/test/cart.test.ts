import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller, type Caller } from '@terrarium/platform/caller';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADD_LISTING,
  KEEPER,
  STAFF,
  animalListing,
  newKeeper,
  sql,
  startCommerce,
  type CartData,
  type CommerceSubgraph,
} from './support.js';

const CART = /* GraphQL */ `
  query Cart($cartToken: String) {
    cart(cartToken: $cartToken) {
      id
      token
      coupon
      lines {
        id
        quantity
        listing {
          id
        }
      }
      subtotal {
        amount
        currency
      }
      discount {
        amount
      }
      total {
        amount
      }
    }
  }
`;

const USER_CART = /* GraphQL */ `
  query UserCart($id: ID!) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User {
        id
        cart {
          id
          lines {
            listing {
              id
            }
          }
          subtotal {
            amount
          }
        }
      }
    }
  }
`;

describe('carts', () => {
  let commerce: CommerceSubgraph;
  beforeAll(async () => {
    commerce = await startCommerce('commerce_cart');
  });
  afterAll(async () => {
    await commerce.stop();
  });

  it("keeps a signed-in user's cart: a listing joins once, at the listing's price", async () => {
    const me = newKeeper();
    await expectData(commerce, ADD_LISTING, { listingId: animalListing(13) }, me);
    const { addToCart } = await expectData<{ addToCart: CartData }>(
      commerce,
      ADD_LISTING,
      { listingId: animalListing(13) },
      me,
    );
    expect(addToCart.token).toBeNull();
    expect(addToCart.lines).toEqual([
      {
        id: expect.any(String),
        quantity: 1,
        listing: { id: animalListing(13) },
        product: null,
        unitPrice: { amount: 14_900, currency: 'EUR' },
      },
    ]);
    expect(addToCart.subtotal).toEqual({ amount: 14_900, currency: 'EUR' });
    expect(addToCart.total).toEqual({ amount: 14_900, currency: 'EUR' });
    expect(addToCart.discount).toBeNull();
  });

  it('validates what is added: exactly one item, quantity 1 for a listing, and only listings on sale', async () => {
    const me = newKeeper();
    expect(errorCodes(await execute(commerce, ADD_LISTING, {}, me))).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(
          commerce,
          ADD_LISTING,
          { listingId: animalListing(14), productId: animalListing(14) },
          me,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(commerce, ADD_LISTING, { listingId: animalListing(14), quantity: 2 }, me)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(commerce, ADD_LISTING, { listingId: animalListing(14), quantity: 0 }, me)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await execute(commerce, ADD_LISTING, { listingId: 'abc' }, me))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(
        await execute(commerce, ADD_LISTING, { listingId: '00000000-0000-4000-8000-000000000000' }, me),
      ),
    ).toEqual(['NOT_FOUND']);
    await sql(commerce, `update listing set status = 'SOLD' where id = ?`, [animalListing(24)]);
    expect(errorCodes(await execute(commerce, ADD_LISTING, { listingId: animalListing(24) }, me))).toEqual([
      'BAD_USER_INPUT',
    ]);
    await sql(commerce, `update listing set status = 'ACTIVE' where id = ?`, [animalListing(24)]);
    // Products is unreachable in this file: a product cannot be priced, so it is not added.
    expect(
      errorCodes(
        await execute(commerce, ADD_LISTING, { productId: '00000000-0000-4000-8000-000000000000' }, me),
      ),
    ).toEqual(['SERVICE_UNAVAILABLE']);
    expect((await expectData<{ cart: unknown }>(commerce, CART, {}, me)).cart).toBeNull();
  });

  it('gives an anonymous cart a token that only its holder sees, and merges it at sign-in', async () => {
    const { addToCart: created } = await expectData<{ addToCart: CartData }>(commerce, ADD_LISTING, {
      listingId: animalListing(14),
    });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = created.token!;
    await expectData(commerce, ADD_LISTING, { listingId: animalListing(15), cartToken: token });

    const held = await expectData<{ cart: CartData }>(commerce, CART, { cartToken: token });
    expect(held.cart).toMatchObject({ id: created.id, token, subtotal: { amount: 24_800, currency: 'EUR' } });
    expect((await expectData<{ cart: unknown }>(commerce, CART, {})).cart).toBeNull();
    // The database keeps only a hash of the token.
    const [row] = await sql<{ token_hash: string }>(commerce, 'select token_hash from cart where id = ?', [
      created.id,
    ]);
    expect(row?.token_hash).not.toContain(token);

    const me = newKeeper();
    await expectData(commerce, ADD_LISTING, { listingId: animalListing(15) }, me);
    const merged = await expectData<{ mergeCart: CartData }>(
      commerce,
      'mutation($t: String!) { mergeCart(cartToken: $t) { id token lines { listing { id } } subtotal { amount } } }',
      { t: token },
      me,
    );
    expect(merged.mergeCart.token).toBeNull();
    expect(merged.mergeCart.lines.map((line) => line.listing?.id).sort()).toEqual(
      [animalListing(14), animalListing(15)].sort(),
    );
    expect(merged.mergeCart.subtotal.amount).toBe(9_900 + 14_900);
    // The anonymous cart and its token are gone.
    expect(errorCodes(await execute(commerce, CART, { cartToken: token }))).toEqual([]);
    expect((await expectData<{ cart: unknown }>(commerce, CART, { cartToken: token })).cart).toBeNull();
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($t: String!) { mergeCart(cartToken: $t) { id } }',
          { t: token },
          me,
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await execute(commerce, 'mutation($t: String!) { mergeCart(cartToken: $t) { id } }', { t: token }),
      ),
    ).toEqual(['UNAUTHENTICATED']);
  });

  it("shows a user's cart only to the user themself and staff", async () => {
    const me = newKeeper();
    await expectData(commerce, ADD_LISTING, { listingId: animalListing(16) }, me);
    const own = await expectData<{ _entities: { cart: { lines: unknown[] } }[] }>(
      commerce,
      USER_CART,
      { id: me.userId },
      me,
    );
    expect(own._entities[0]!.cart.lines).toEqual([{ listing: { id: animalListing(16) } }]);
    const staff = await expectData<{ _entities: { cart: { subtotal: { amount: number } } }[] }>(
      commerce,
      USER_CART,
      { id: me.userId },
      STAFF,
    );
    expect(staff._entities[0]!.cart.subtotal.amount).toBe(9_900);
    expect(errorCodes(await execute(commerce, USER_CART, { id: me.userId }, KEEPER))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(commerce, USER_CART, { id: me.userId }, ANONYMOUS))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it("removes and updates lines of the caller's cart only", async () => {
    const me = newKeeper();
    const { addToCart } = await expectData<{ addToCart: CartData }>(
      commerce,
      ADD_LISTING,
      { listingId: animalListing(17) },
      me,
    );
    const lineId = addToCart.lines[0]!.id;
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($l: ID!) { updateCartLine(lineId: $l, quantity: 3) { id } }',
          { l: lineId },
          me,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($l: ID!) { removeFromCart(lineId: $l) { id } }',
          { l: lineId },
          newKeeper(),
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($l: ID!) { removeFromCart(lineId: $l) { id } }',
          { l: lineId },
          ANONYMOUS,
        ),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    const removed = await expectData<{ removeFromCart: CartData }>(
      commerce,
      'mutation($l: ID!) { removeFromCart(lineId: $l) { lines { id } subtotal { amount currency } } }',
      { l: lineId },
      me,
    );
    expect(removed.removeFromCart).toEqual({ lines: [], subtotal: { amount: 0, currency: 'EUR' } });
  });

  it('applies a coupon to the subtotal and refuses unknown or expired ones', async () => {
    const me = newKeeper();
    await expectData(commerce, ADD_LISTING, { listingId: animalListing(18) }, me);
    const apply =
      'mutation($c: String!) { applyCoupon(code: $c) { coupon subtotal { amount } discount { amount currency } total { amount } } }';
    const applied = await expectData<{ applyCoupon: CartData }>(commerce, apply, { c: 'welcome10' }, me);
    expect(applied.applyCoupon).toEqual({
      coupon: 'WELCOME10',
      subtotal: { amount: 8_900 },
      discount: { amount: 890, currency: 'EUR' },
      total: { amount: 8_010 },
    });
    expect(errorCodes(await execute(commerce, apply, { c: 'NOPE-NOPE' }, me))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await execute(commerce, apply, { c: '!' }, me))).toEqual(['BAD_USER_INPUT']);
    await expectData(
      commerce,
      'mutation { createCoupon(input: { code: "OLD5", percentOff: 5, validFrom: "2025-01-01T00:00:00Z", validUntil: "2025-02-01T00:00:00Z" }) { id } }',
      {},
      STAFF,
    );
    const expired = await execute(commerce, apply, { c: 'OLD5' }, me);
    expect(expired.errors[0]).toMatchObject({
      message: 'Coupon OLD5 has expired.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const removed = await expectData<{ removeCoupon: CartData }>(
      commerce,
      'mutation { removeCoupon { coupon discount { amount } total { amount } } }',
      {},
      me,
    );
    expect(removed.removeCoupon).toEqual({ coupon: null, discount: null, total: { amount: 8_900 } });
  });

  it("answers the storefront's AddToCart over HTTP for the caller the gateway signed, and nothing unsigned", async () => {
    const url = await commerce.listen(0);
    const post = async (caller: Caller | null) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (caller) headers[CALLER_HEADER] = await signCaller(caller, process.env['INTERNAL_SECRET']!);
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query:
            'mutation AddToCart($listingId: ID) { addToCart(listingId: $listingId) { id lines { id quantity product { id } listing { id } } subtotal { amount currency } } }',
          variables: { listingId: animalListing(11) },
        }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { data?: { addToCart: CartData }; errors?: unknown[] },
      };
    };
    expect((await post(null)).status).toBe(401);
    const me = newKeeper();
    const { status, body } = await post(me);
    expect(status).toBe(200);
    expect(body.data?.addToCart.lines).toEqual([
      { id: expect.any(String), quantity: 1, product: null, listing: { id: animalListing(11) } },
    ]);
    expect(body.data?.addToCart.subtotal).toEqual({ amount: 29_900, currency: 'EUR' });
  });

  it('keeps a wishlist per user: adding twice keeps one item, only the owner removes it', async () => {
    const wishlist =
      'query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { wishlist { id listing { id } product { id } } } } }';
    const seeded = await expectData<{ _entities: { wishlist: unknown[] }[] }>(
      commerce,
      wishlist,
      { id: KEEPER.userId },
      KEEPER,
    );
    expect(seeded._entities[0]!.wishlist).toEqual([
      { id: expect.any(String), listing: { id: animalListing(8) }, product: null },
    ]);

    const me = newKeeper();
    const add = 'mutation($l: ID) { addToWishlist(listingId: $l) { id listing { id } addedAt } }';
    const first = await expectData<{ addToWishlist: { id: string } }>(
      commerce,
      add,
      { l: animalListing(9) },
      me,
    );
    const again = await expectData<{ addToWishlist: { id: string } }>(
      commerce,
      add,
      { l: animalListing(9) },
      me,
    );
    expect(again.addToWishlist.id).toBe(first.addToWishlist.id);
    expect(errorCodes(await execute(commerce, add, { l: animalListing(9) }, ANONYMOUS))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(errorCodes(await execute(commerce, wishlist, { id: me.userId }, KEEPER))).toEqual(['FORBIDDEN']);

    const remove = 'mutation($id: ID!) { removeFromWishlist(itemId: $id) }';
    expect(await expectData(commerce, remove, { id: first.addToWishlist.id }, KEEPER)).toEqual({
      removeFromWishlist: false,
    });
    expect(await expectData(commerce, remove, { id: first.addToWishlist.id }, me)).toEqual({
      removeFromWishlist: true,
    });
    expect(
      (await expectData<{ _entities: { wishlist: unknown[] }[] }>(commerce, wishlist, { id: me.userId }, me))
        ._entities[0]!.wishlist,
    ).toEqual([]);
  });
});
