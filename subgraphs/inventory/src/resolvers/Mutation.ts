import { requireService, requireStaff, requireUser } from '@terrarium/platform/caller';
import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import type { MutationResolvers } from '../generated/resolvers.js';
import { createAnimal, updateAnimal } from '../services/animal-mutation.service.js';
import { logCare } from '../services/care-log.service.js';
import { setCareSchedule } from '../services/care-schedule.service.js';
import { assignKeeper } from '../services/keepers.service.js';
import { enqueueStockChanged } from '../services/events.js';
import {
  commitForOrder,
  releaseForOrder,
  reserveForOrder,
  returnForOrder,
  type ReservationOutcome,
} from '../services/reservation.service.js';
import { adjustStock } from '../services/stock.service.js';
import { recordListingPrices } from '../search/listing-prices.js';
import type { Context } from '../context.js';

/** The only service allowed to reserve, release, commit and return: checkout lives in commerce. */
const CHECKOUT_SERVICE = 'commerce';

/**
 * Runs a stock change in one transaction with the job that announces it (the service's own
 * transaction nests in this one as a savepoint), so the event is published once it committed.
 */
async function announce(ctx: Context, change: (em: Context['em']) => Promise<ReservationOutcome>) {
  let changed: Iterable<string> = [];
  const result = await ctx.em.transactional(async (tx) => {
    const outcome = await change(tx);
    await enqueueStockChanged(ctx.jobs, tx, outcome.changedProductIds);
    changed = outcome.changedProductIds;
    return outcome.result;
  });
  ctx.entityChanges.changed('Product', ...changed);
  return result;
}

export const Mutation: MutationResolvers = {
  adjustStock: async (_, { productId, delta, reason }, ctx) => {
    requireStaff(ctx.caller);
    const actorId = requireUser(ctx.caller);
    const adjusted = await ctx.em.transactional(async (tx) => {
      const result = await adjustStock(tx, { productId, delta, reason, actorId });
      await enqueueStockChanged(ctx.jobs, tx, [result.productId]);
      await enqueueAudit(ctx.jobs, tx, {
        actor: actorId,
        action: 'adjustStock',
        subject: `Product:${result.productId}`,
        diff: { delta, reason, onHand: result.stock.onHand },
      });
      return result;
    });
    ctx.entityChanges.changed('Product', adjusted.productId);
    // The answer's `stock` shows the level this adjustment produced, without reading it again.
    ctx.loaders.stock.clear(adjusted.productId).prime(adjusted.productId, adjusted.stock);
    return { id: adjusted.productId };
  },
  createAnimal: (_, { input }, { em, jobs, caller }) => createAnimal(em, jobs, caller, input),
  updateAnimal: (_, { id, input }, { em, jobs, caller }) => updateAnimal(em, jobs, caller, id, input),
  logCare: (_, { animalId, input }, { em, caller }) => logCare(em, caller, animalId, input),
  setCareSchedule: (_, { animalId, kind, everyDays }, { em, jobs, caller }) =>
    setCareSchedule(em, jobs, caller, animalId, kind, everyDays),

  reserveForOrder: async (_, { orderId, items }, ctx) => {
    const service = requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, (em) => reserveForOrder(em, service, orderId, items));
  },
  releaseForOrder: async (_, { orderId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, (em) => releaseForOrder(em, orderId));
  },
  commitForOrder: async (_, { orderId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, (em) => commitForOrder(em, orderId));
  },
  returnForOrder: async (_, { orderId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    return announce(ctx, (em) => returnForOrder(em, orderId));
  },
  recordListingPrices: (_, { prices }, { em, caller }) => recordListingPrices(em, caller, prices),
  assignKeeper: async (_, { animalId, keeperId }, ctx) => {
    requireService(ctx.caller, CHECKOUT_SERVICE);
    await assignKeeper(ctx.em, animalId, keeperId);
    return true;
  },
};
