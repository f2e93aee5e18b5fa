import { NotFoundError } from '@terrarium/platform/errors';
import type { SubscriptionResolvers } from '../generated/resolvers.js';
import { stockChangedTopic } from '../services/events.js';
import type { Context } from '../context.js';
import type { ProductRef } from '../types.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { filterEvents } from '@terrarium/subgraph-kit/pubsub';
import { requireUser, Role, type Caller } from '@terrarium/platform/caller';
import { CARE_REMINDER_TOPIC, type CareReminderEvent } from '../services/care-reminders.job.js';

/**
 * Who hears a reminder: the keeper of a kept animal; breeder members of the organization of an
 * animal it still holds. Staff are not told of every animal's feeding.
 */
const remindsCaller = (caller: Caller) => (event: CareReminderEvent) =>
  event.keeperId !== null
    ? event.keeperId === caller.userId
    : caller.roles.includes(Role.BREEDER) && caller.organizationIds.includes(event.organizationId);

export const Subscription: SubscriptionResolvers = {
  stockChanged: {
    // Stock levels are public (the storefront shows them), so anyone may listen.
    subscribe: (_, { productId }, { events }) =>
      events.subscribe<ProductRef>(stockChangedTopic(requireUuid(productId, 'productId'))),
    // The event is the Product reference; its fields resolve as usual (stock here, the rest
    // through the gateway). A subscription keeps one context, hence one set of loaders, for its
    // whole life: forget the level the previous event loaded.
    resolve: (payload: ProductRef, _args: unknown, { loaders }: Context) => {
      loaders.stock.clear(payload.id);
      return payload;
    },
  },
  careReminderDue: {
    subscribe: (_, __, { caller, events }) => {
      requireUser(caller);
      return filterEvents(events.subscribe<CareReminderEvent>(CARE_REMINDER_TOPIC), remindsCaller(caller));
    },
    resolve: async (event: CareReminderEvent, _args: unknown, { loaders }: Context) => {
      const animal = await loaders.animal.clear(event.animalId).load(event.animalId);
      if (!animal) throw new NotFoundError('Animal');
      return { kind: event.kind, dueAt: new Date(event.dueAt), animal };
    },
  },
};
