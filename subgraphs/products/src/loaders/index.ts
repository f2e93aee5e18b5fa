import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import { createCategoryLoaders } from './category.loader.js';
import { createProductLoaders } from './product.loader.js';

/**
 * Built per request: a loader's cache lives as long as one operation. Products and categories
 * tolerate lag (a catalog page a moment old), so they follow the operation's ReadRoute.
 */
export function createLoaders({ em, reads }: LoaderDeps) {
  return { ...createProductLoaders(em, reads), ...createCategoryLoaders(em, reads) };
}

export type Loaders = ReturnType<typeof createLoaders>;
