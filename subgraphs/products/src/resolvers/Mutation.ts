import type { MutationResolvers } from '../generated/resolvers.js';
import { createProduct, updateProduct } from '../services/product-writes.js';
import { recordRatings, recordStockLevels } from '../search/signals.js';

export const Mutation: MutationResolvers = {
  createProduct: (_, { input }, ctx) => createProduct(ctx, input),
  updateProduct: async (_, { id, input }, ctx) => {
    const product = await updateProduct(ctx, id, input);
    ctx.entityChanges.changed('Product', product.id);
    return product;
  },
  recordStockLevels: (_, { levels }, { em, caller }) => recordStockLevels(em, caller, levels),
  recordRatings: (_, { ratings }, ctx) => recordRatings(ctx, ratings),
};
