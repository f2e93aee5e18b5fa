import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADD_LISTING,
  ORG,
  STAFF,
  animalListing,
  newKeeper,
  productId,
  startCommerce,
  type CartData,
  type CommerceSubgraph,
} from './support.js';
import { operationsServed, startSibling, type RunningSibling } from './siblings.js';

/** Commerce asks the products subgraph for catalog prices over HTTP, one call per batch. */
describe('catalog prices from the products subgraph', () => {
  let products: RunningSibling;
  let commerce: CommerceSubgraph;
  beforeAll(async () => {
    products = await startSibling('products', 'commerce_prices_products');
    commerce = await startCommerce('commerce_prices', { urls: { products: products.url } });
  });
  afterAll(async () => {
    await commerce?.stop();
    await products?.subgraph.stop();
  });

  it('prices product lines at the catalog price and adds quantities up to 99', async () => {
    const me = newKeeper();
    await expectData(commerce, ADD_LISTING, { productId: productId('TR-HEAT-100'), quantity: 2 }, me);
    await expectData(commerce, ADD_LISTING, { productId: productId('TR-HEAT-100'), quantity: 3 }, me);
    const { addToCart } = await expectData<{ addToCart: CartData }>(
      commerce,
      ADD_LISTING,
      { listingId: animalListing(19) },
      me,
    );
    expect(
      addToCart.lines.map(({ quantity, product, listing, unitPrice }) => ({
        quantity,
        product,
        listing,
        unitPrice,
      })),
    ).toEqual([
      {
        quantity: 5,
        product: { id: productId('TR-HEAT-100') },
        listing: null,
        unitPrice: { amount: 2_499, currency: 'EUR' },
      },
      {
        quantity: 1,
        product: null,
        listing: { id: animalListing(19) },
        unitPrice: { amount: 8_900, currency: 'EUR' },
      },
    ]);
    expect(addToCart.subtotal).toEqual({ amount: 5 * 2_499 + 8_900, currency: 'EUR' });
    expect(
      errorCodes(
        await execute(commerce, ADD_LISTING, { productId: productId('TR-HEAT-100'), quantity: 95 }, me),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('asks products once for all the prices a request needs', async () => {
    const me = newKeeper();
    for (const sku of ['TR-HYGRO', 'TR-BOWL-L', 'TR-TONGS'])
      await expectData(commerce, ADD_LISTING, { productId: productId(sku) }, me);
    const before = await operationsServed(products);
    const cart = await expectData<{
      cart: { lines: { unitPrice: { amount: number } }[]; total: { amount: number } };
    }>(commerce, '{ cart { lines { unitPrice { amount } } total { amount } } }', {}, me);
    expect(cart.cart.lines.map((line) => line.unitPrice.amount)).toEqual([1_299, 1_199, 1_099]);
    expect(cart.cart.total.amount).toBe(1_299 + 1_199 + 1_099);
    // Three product lines, one `_entities` call.
    expect((await operationsServed(products)) - before).toBe(1);
  });

  it('refuses a product the catalog does not know', async () => {
    expect(
      errorCodes(
        await execute(
          commerce,
          ADD_LISTING,
          { productId: '00000000-0000-4000-8000-000000000000' },
          newKeeper(),
        ),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it('lets an organization list a catalog product at its own price', async () => {
    const create =
      'mutation($input: CreateListingInput!) { createListing(input: $input) { status price { amount currency } product { id } animal { id } } }';
    const input = { organizationId: ORG.desert, productId: productId('TR-MIST'), priceAmount: 8_499 };
    expect(errorCodes(await execute(commerce, create, { input }, newKeeper()))).toEqual(['FORBIDDEN']);
    const created = await expectData<{ createListing: unknown }>(commerce, create, { input }, STAFF);
    expect(created.createListing).toEqual({
      status: 'ACTIVE',
      price: { amount: 8_499, currency: 'EUR' },
      product: { id: productId('TR-MIST') },
      animal: null,
    });
    expect(
      errorCodes(await execute(commerce, create, { input: { ...input, priceAmount: -1 } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(commerce, create, { input: { ...input, animalId: input.productId } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
  });
});
