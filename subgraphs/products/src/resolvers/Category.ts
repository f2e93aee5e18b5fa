import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { CategoryResolvers } from '../generated/resolvers.js';
import { listProducts } from '../services/product-list.js';

export const Category: CategoryResolvers = {
  __resolveReference: (ref, { loaders }) => (isUuid(ref.id) ? loaders.categoryById.load(ref.id) : null),
  parent: (category, _, { loaders }) =>
    category.parentId ? loaders.categoryById.load(category.parentId) : null,
  children: (category, _, { loaders }) => loaders.categoryChildren.load(category.id),
  // One list query per category in the selection; a page of products is not batchable by
  // DataLoader without giving up keyset pagination and the per-version cache.
  products: (category, { first, after }, { em, cache }) =>
    listProducts(em, cache, { category: { id: category.id }, first, after }),
};
