import type { OrderStatusChangeResolvers } from '../generated/resolvers.js';
import { refOrNull } from '../refs.js';

export const OrderStatusChange: OrderStatusChangeResolvers = {
  from: (change) => change.fromStatus ?? null,
  to: (change) => change.toStatus,
  changedBy: (change) => refOrNull(change.changedBy),
  status: (change) => change.toStatus,
  at: (change) => change.changedAt,
};
