import type { AnimalResolvers } from '../generated/resolvers.js';

export const Animal: AnimalResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  listing: (animal, _, ctx) => ctx.loaders.listingOfAnimal.load(animal.id),
};
