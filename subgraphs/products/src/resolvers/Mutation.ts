import type { MutationResolvers } from '../generated/resolvers.js';
import { createProduct, updateProduct } from '../services/product-writes.js';
import { recordRatings, recordStockLevels } from '../search/signals.js';

export const Mutation: MutationResolvers = {
  createProduct: (_, { input }, ctx) => createProduct(ctx, input),
  updateProduct: (_, { id, input }, ctx) => updateProduct(ctx, id, input),
  recordStockLevels: (_, { levels }, { em, caller }) => recordStockLevels(em, caller, levels),
  recordRatings: (_, { ratings }, { em, caller }) => recordRatings(em, caller, ratings),
};
