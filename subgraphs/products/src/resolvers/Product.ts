import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { ProductResolvers } from '../generated/resolvers.js';

export const Product: ProductResolvers = {
  /**
   * One resolver for the three keys; each goes through its own DataLoader, so that a list of
   * references costs one statement per key kind. A malformed id cannot name a product: null
   * rather than an error, so one bad reference does not fail the gateway's whole batch.
   */
  __resolveReference: (ref, { loaders }) => {
    if ('id' in ref) return isUuid(ref.id) ? loaders.productById.load(ref.id) : null;
    if ('sku' in ref) return loaders.productBySku.load(ref.sku);
    return loaders.productBySlug.load(ref.slug);
  },
  price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  category: (product, _, { loaders }) =>
    product.categoryId ? loaders.categoryById.load(product.categoryId) : null,
  createdBy: (product) => (product.createdById ? { __typename: 'User', id: product.createdById } : null),
};
