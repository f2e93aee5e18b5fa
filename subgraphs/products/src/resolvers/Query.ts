import type { QueryResolvers } from '../generated/resolvers.js';
import { listCategoryRoots } from '../services/categories.js';
import { listProducts } from '../services/product-list.js';
import { suggestSearches } from '../services/suggestions.js';
import { searchProducts } from '../search/product-search.js';
import { normaliseQuery, type SearchCounts } from '../search/search-counts.js';
import { recordResults, relatedSearches, RELATED_BY_FIRST } from '../search/related-searches.js';
import { BadUserInputError } from '@terrarium/platform/errors';

/** Longest popularSearches list. @default 50 */
const MAX_POPULAR = 50;

export const createQuery = ({ searchCounts }: { searchCounts: SearchCounts }): QueryResolvers => ({
  product: (_, { slug }, { loaders }) => loaders.productBySlug.load(slug),
  products: (_, { search, categorySlug, first, after }, { em, cache }) =>
    listProducts(em, cache, {
      search,
      category: categorySlug == null ? null : { slug: categorySlug },
      first,
      after,
    }),
  searchSuggestions: (_, { prefix, first }, { em, cache }) =>
    suggestSearches(em, cache, searchCounts, prefix, first),
  productSearch: async (_, args, { em, reads, logger }) => {
    const result = await searchProducts(em, args, reads);
    // A shopper's search, counted once (not per page), only when it found something and under
    // its correction when it has one, so that typos never become popular.
    if (!args.after && result.totalCount > 0 && normaliseQuery(args.text) !== '') {
      const counted = result.didYouMean ?? args.text;
      await searchCounts.count(em, counted);
      await recordResults(
        em,
        counted,
        result.edges.slice(0, RELATED_BY_FIRST).map((edge) => edge.node.id),
        logger,
      );
    }
    return result;
  },
  relatedSearches: (_, { query, first }, { em, reads }) => relatedSearches(em, query, first, reads),
  popularSearches: (_, { first }, { em }) => {
    const size = first ?? 10;
    if (!Number.isInteger(size) || size < 0 || size > MAX_POPULAR)
      throw new BadUserInputError(`"first" must be 0 to ${MAX_POPULAR}.`, 'first');
    return searchCounts.top(em, size);
  },
  categories: (_, __, { em, reads }) => listCategoryRoots(em, reads),
  category: (_, { slug }, { loaders }) => loaders.categoryBySlug.load(slug),
});
