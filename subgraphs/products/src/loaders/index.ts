import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import { createCategoryLoaders } from './category.loader.js';
import { createProductLoaders } from './product.loader.js';

/** Built per request: a loader's cache lives as long as one operation. */
export function createLoaders({ em }: LoaderDeps) {
  return { ...createProductLoaders(em), ...createCategoryLoaders(em) };
}

export type Loaders = ReturnType<typeof createLoaders>;
