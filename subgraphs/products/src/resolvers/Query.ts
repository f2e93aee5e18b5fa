import type { QueryResolvers } from '../generated/resolvers.js';
import { listCategoryRoots } from '../services/categories.js';
import { listProducts } from '../services/product-list.js';
import { suggestProductNames } from '../services/suggestions.js';
import { searchProducts } from '../search/product-search.js';

export const Query: QueryResolvers = {
  product: (_, { slug }, { loaders }) => loaders.productBySlug.load(slug),
  products: (_, { search, categorySlug, first, after }, { em, cache }) =>
    listProducts(em, cache, { search, category: categorySlug == null ? null : { slug: categorySlug }, first, after }),
  searchSuggestions: (_, { prefix, first }, { em, cache }) => suggestProductNames(em, cache, prefix, first),
  productSearch: (_, args, { em }) => searchProducts(em, args),
  categories: (_, __, { em }) => listCategoryRoots(em),
  category: (_, { slug }, { loaders }) => loaders.categoryBySlug.load(slug),
};
