import type { MutationResolvers } from '../generated/resolvers.js';
import { createProduct, updateProduct } from '../services/product-writes.js';

export const Mutation: MutationResolvers = {
  createProduct: (_, { input }, ctx) => createProduct(ctx, input),
  updateProduct: (_, { id, input }, ctx) => updateProduct(ctx, id, input),
};
