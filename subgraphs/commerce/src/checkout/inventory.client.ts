import { GraphQLError } from 'graphql';
import { ServiceUnavailableError } from '@terrarium/platform/errors';
import type { ServiceClient, ServiceResult } from '@terrarium/subgraph-kit/service-client';

/**
 * Inventory's internal API (service-to-service, signed as `commerce`). Stock is inventory's;
 * commerce only asks. All four operations are keyed by the order id and idempotent there:
 * reserveForOrder is all-or-nothing, releaseForOrder, commitForOrder and returnForOrder happen
 * once and are no-ops after.
 */
const RESERVE =
  'mutation($orderId: ID!, $items: [ReservationItemInput!]!) { reserveForOrder(orderId: $orderId, items: $items) { orderId status } }';
const RELEASE = 'mutation($orderId: ID!) { releaseForOrder(orderId: $orderId) { orderId status } }';
const COMMIT = 'mutation($orderId: ID!) { commitForOrder(orderId: $orderId) { orderId status } }';
const RETURN = 'mutation($orderId: ID!) { returnForOrder(orderId: $orderId) { orderId status } }';

export interface ReservationItem {
  productId?: string;
  animalId?: string;
  quantity: number;
}

export type ReserveOutcome =
  | { kind: 'reserved' }
  /** Stock is short: a definite no, nothing was reserved. */
  | { kind: 'short'; message: string; productId: string | null; animalId: string | null }
  /** Inventory answered with another error: nothing was reserved, but this is not the buyer's fault. */
  | { kind: 'refused'; message: string };

interface ServiceError {
  message: string;
  extensions?: { code?: string; productId?: string; animalId?: string };
}

/** Any failure to get an answer (network, timeout, 5xx, a body that is not JSON) is SERVICE_UNAVAILABLE. */
async function call<T>(
  services: ServiceClient,
  document: string,
  variables: Record<string, unknown>,
): Promise<ServiceResult<T>> {
  try {
    return await services.call<T>('inventory', document, variables);
  } catch (err) {
    if (err instanceof GraphQLError) throw err;
    throw new ServiceUnavailableError('The inventory service gave no usable answer.');
  }
}

export async function reserveForOrder(
  services: ServiceClient,
  orderId: string,
  items: ReservationItem[],
): Promise<ReserveOutcome> {
  const result = await call<{ reserveForOrder: { orderId: string } | null }>(services, RESERVE, {
    orderId,
    items,
  });
  if (result.data?.reserveForOrder && result.errors.length === 0) return { kind: 'reserved' };
  const error = (result.errors[0] ?? { message: 'reserveForOrder returned nothing' }) as ServiceError;
  if (error.extensions?.code === 'CONFLICT') {
    return {
      kind: 'short',
      message: error.message,
      productId: error.extensions.productId ?? null,
      animalId: error.extensions.animalId ?? null,
    };
  }
  return { kind: 'refused', message: error.message };
}

async function settle(
  services: ServiceClient,
  document: string,
  field: string,
  orderId: string,
): Promise<void> {
  const result = await call<Record<string, unknown>>(services, document, { orderId });
  if (!result.data?.[field] || result.errors.length > 0) {
    throw new ServiceUnavailableError(
      `Inventory did not confirm ${field}: ${result.errors[0]?.message ?? 'no data'}.`,
    );
  }
}

/** Gives the order's reserved stock back. Throws SERVICE_UNAVAILABLE unless inventory confirmed. */
export function releaseForOrder(services: ServiceClient, orderId: string): Promise<void> {
  return settle(services, RELEASE, 'releaseForOrder', orderId);
}

/** Turns the order's reservation into a sale. Throws SERVICE_UNAVAILABLE unless inventory confirmed. */
export function commitForOrder(services: ServiceClient, orderId: string): Promise<void> {
  return settle(services, COMMIT, 'commitForOrder', orderId);
}

/** Gives back what a paid order holds (sold units and animals, or a reservation not yet committed). Throws SERVICE_UNAVAILABLE unless inventory confirmed. */
export function returnForOrder(services: ServiceClient, orderId: string): Promise<void> {
  return settle(services, RETURN, 'returnForOrder', orderId);
}
