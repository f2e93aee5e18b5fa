import type { ProductResolvers } from '../generated/resolvers.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Product: ProductResolvers = {
  // Products owns the entity; inventory only needs its id to find the stock row.
  __resolveReference: ({ id }) => ({ id: requireUuid(id, 'id') }),
  stock: (product, _, { loaders }) => loaders.stock.load(product.id),
};
