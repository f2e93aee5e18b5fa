import { BadUserInputError, isUuid } from '@terrarium/kit';
import type { QueryResolvers } from '../generated/resolvers.js';

export const Query: QueryResolvers = {
  mediaAsset: (_, { id }, { loaders }) => {
    if (!isUuid(id)) throw new BadUserInputError(`"${id}" is not a valid id.`, 'id');
    return loaders.mediaAsset.load(id);
  },
};
