import { isStaff, requireUser } from '@terrarium/platform/caller';
import { ForbiddenError } from '@terrarium/platform/errors';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { UserResolvers } from '../generated/resolvers.js';
import { keptAnimals } from '../services/keepers.service.js';

export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id: requireUuid(id, 'id') }),
  // A keeper's collection is theirs (it tells where animals live): the user themself and staff.
  animals: (user, { first, after }, { caller, em }) => {
    if (requireUser(caller) !== user.id && !isStaff(caller))
      throw new ForbiddenError("Only the user themself and staff may see this user's animals.");
    return keptAnimals(em, user.id, first, after);
  },
};
