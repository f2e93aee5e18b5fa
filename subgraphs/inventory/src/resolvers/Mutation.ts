import { requireService, requireStaff, requireUser } from '@terrarium/platform/caller';
import type { MutationResolvers } from '../generated/resolvers.js';
import { createAnimal, updateAnimal } from '../services/animal-mutation.service.js';
import { logCare } from '../services/care-log.service.js';
import { publishStockChanged } from '../services/events.js';
import { commitForOrder, releaseForOrder, reserveForOrder, type ReservationOutcome } from '../services/reservation.service.js';
import { adjustStock } from '../services/stock.service.js';
import type { Context } from '../context.js';

/** The only service allowed to reserve, release and commit: checkout lives in commerce. */
const CHECKOUT_SERVICE = 'commerce';

async function announce(ctx: Context, outcome: ReservationOutcome) {
  await publishStockChanged(ctx.events, ctx.logger, outcome.changedProductIds);
  return outcome.result;
}

export const Mutation: MutationResolvers = {
  adjustStock: async (_, { productId, delta, reason }, ctx) => {
    requireStaff(ctx.caller);
    const actorId = requireUser(ctx.caller);
    const adjusted = await adjustStock(ctx.em, { productId, delta, reason, actorId });
    // The answer's `stock` shows the level this adjustment produced, without reading it again.
    ctx.loaders.stock.clear(adjusted.productId).prime(adjusted.productId, adjusted.stock);
    await publishStockChanged(ctx.events, ctx.logger, [adjusted.productId]);
    return { id: adjusted.productId };
  },
  createAnimal: (_, { input }, { em, caller }) => createAnimal(em, caller, input),
  updateAnimal: (_, { id, input }, { em, caller }) => updateAnimal(em, caller, id, input),
  logCare: (_, { animalId, input }, { em, caller }) => logCare(em, caller, animalId, input),

  reserveForOrder: async (_, { orderId, items }, ctx) => {
    const service = requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, await reserveForOrder(ctx.em, service, orderId, items));
  },
  releaseForOrder: async (_, { orderId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, await releaseForOrder(ctx.em, orderId));
  },
  commitForOrder: async (_, { orderId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, await commitForOrder(ctx.em, orderId));
  },
};
