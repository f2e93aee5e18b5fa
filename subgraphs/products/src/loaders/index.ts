import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import { createCategoryLoaders } from './category.loader.js';
import { createProductLoaders } from './product.loader.js';

/**
 * Built per request: a loader's cache lives as long as one operation. Products and categories
 * tolerate lag (a catalog page a moment old), so they follow the operation's ReadRoute.
 */
export function createLoaders({ em, reads }: LoaderDeps) {
  const categories = createCategoryLoaders(em, reads);
  // A product's lookup brings its category along: Product.category then needs no statement.
  const products = createProductLoaders(em, reads, (category) =>
    categories.categoryById.prime(category.id, category),
  );
  return { ...products, ...categories };
}

export type Loaders = ReturnType<typeof createLoaders>;
