import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { QueryResolvers } from '../generated/resolvers.js';

export const Query: QueryResolvers = {
  mediaAsset: (_, { id }, { loaders }) => {
    if (!isUuid(id)) throw new BadUserInputError(`"${id}" is not a valid id.`, 'id');
    return loaders.mediaAsset.load(id);
  },
};
