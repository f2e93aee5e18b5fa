import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReservationResult } from '../types.js';
import { ItemConflictError } from './errors.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { query, execute } from '@terrarium/subgraph-kit/sql';

/** Largest number of lines one reservation may hold. @default 100 */
const MAX_ITEMS = 100;
/** Largest quantity of one product on one order. @default 10_000 */
const MAX_QUANTITY = 10_000;

export interface ReservationItemInput {
  productId?: string | null;
  animalId?: string | null;
  quantity: number;
}

interface ReservationPlan {
  /** Sorted by product id: every writer locks stock rows in this order, so none deadlock. */
  products: { productId: string; quantity: number }[];
  /** Sorted by animal id, for the same reason. */
  animals: string[];
}

/** What a reservation change did: the answer, and the products whose stock moved. */
export interface ReservationOutcome {
  result: ReservationResult;
  changedProductIds: string[];
}

function plan(items: readonly ReservationItemInput[]): ReservationPlan {
  if (items.length === 0) throw new BadUserInputError('A reservation needs at least one item.', 'items');
  if (items.length > MAX_ITEMS)
    throw new BadUserInputError(`A reservation holds at most ${MAX_ITEMS} items.`, 'items');
  const products = new Map<string, number>();
  const animals = new Set<string>();
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw new BadUserInputError(
        `"quantity" must be between 1 and ${MAX_QUANTITY}, got ${item.quantity}.`,
        'quantity',
      );
    }
    if ((item.productId == null) === (item.animalId == null)) {
      throw new BadUserInputError('Each item names exactly one of productId or animalId.', 'items');
    }
    if (item.productId != null) {
      const productId = requireUuid(item.productId, 'productId');
      // The same product on two lines is one reservation of the sum.
      products.set(productId, (products.get(productId) ?? 0) + item.quantity);
    } else {
      const animalId = requireUuid(item.animalId!, 'animalId');
      if (item.quantity !== 1)
        throw new BadUserInputError('An animal is reserved with quantity 1.', 'quantity');
      if (animals.has(animalId)) throw new BadUserInputError(`Animal ${animalId} appears twice.`, 'animalId');
      animals.add(animalId);
    }
  }
  for (const [productId, quantity] of products) {
    if (quantity > MAX_QUANTITY)
      throw new BadUserInputError(`At most ${MAX_QUANTITY} units of product ${productId}.`, 'quantity');
  }
  return {
    products: [...products]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([productId, quantity]) => ({ productId, quantity })),
    animals: [...animals].sort(),
  };
}

async function currentStatus(tx: EntityManager, orderId: string): Promise<ReservationResult> {
  const [row] = await query<{ status: ReservationResult['status'] }>(
    tx,
    'select status from reservation where order_id = ?',
    [orderId],
  );
  return { orderId, status: row?.status ?? 'NONE' };
}

/**
 * Holds stock and animals for an order: all items or none, in one transaction, idempotent per
 * order id. Never oversells: each product is taken with a conditional UPDATE that succeeds only
 * while enough units are available (Postgres re-checks the condition after waiting for a
 * concurrent writer's row lock), and each animal with an AVAILABLE -> RESERVED conditional UPDATE.
 */
export async function reserveForOrder(
  em: EntityManager,
  service: string,
  orderIdArg: string,
  items: readonly ReservationItemInput[],
): Promise<ReservationOutcome> {
  const orderId = requireUuid(orderIdArg, 'orderId');
  const { products, animals } = plan(items);
  return em.transactional(async (tx) => {
    // A concurrent call for the same order waits here on the row until the first one commits
    // (then sees its reservation) or rolls back (then inserts its own).
    const inserted = await execute(
      tx,
      `insert into reservation (order_id, status, service) values (?, 'RESERVED', ?) on conflict (order_id) do nothing`,
      [orderId, service],
    );
    if (inserted === 0) return { result: await currentStatus(tx, orderId), changedProductIds: [] };

    for (const { productId, quantity } of products) {
      const taken = await execute(
        tx,
        `update stock set reserved = reserved + ?, updated_at = now()
          where product_id = ? and on_hand - reserved >= ?`,
        [quantity, productId, quantity],
      );
      if (taken === 0) {
        // Throwing rolls back every item already taken in this transaction.
        throw new ItemConflictError(`Not enough stock of product ${productId} for ${quantity} more.`, {
          productId,
        });
      }
    }
    for (const animalId of animals) {
      const taken = await execute(
        tx,
        `update animal set status = 'RESERVED', reserved_order_id = ?, updated_at = now()
          where id = ? and status = 'AVAILABLE'`,
        [orderId, animalId],
      );
      if (taken === 0) throw new ItemConflictError(`Animal ${animalId} is not available.`, { animalId });
    }

    const lines = [
      ...products.map((p) => [orderId, p.productId, null, p.quantity]),
      ...animals.map((id) => [orderId, null, id, 1]),
    ];
    await execute(
      tx,
      `insert into reservation_item (order_id, product_id, animal_id, quantity) values ${lines.map(() => '(?, ?, ?, ?)').join(', ')}`,
      lines.flat(),
    );
    return { result: { orderId, status: 'RESERVED' }, changedProductIds: products.map((p) => p.productId) };
  });
}

interface ItemRow {
  product_id: string | null;
  animal_id: string | null;
  quantity: number;
}

/** What each settlement does to the order's animals (only this order's, in the state `from` left them). */
const ANIMALS_SQL: Record<'RELEASED' | 'COMMITTED' | 'RETURNED', string> = {
  RELEASED: `update animal set status = 'AVAILABLE', reserved_order_id = null, updated_at = now() where reserved_order_id = ? and status = 'RESERVED'`,
  COMMITTED: `update animal set status = 'SOLD', updated_at = now() where reserved_order_id = ? and status = 'RESERVED'`,
  RETURNED: `update animal set status = 'AVAILABLE', reserved_order_id = null, updated_at = now() where reserved_order_id = ? and status = 'SOLD'`,
};

/**
 * Moves a reservation from `from` to `next` exactly once: the status UPDATE is conditional and
 * takes the reservation's row lock, so of two concurrent calls only one sees `from` and applies
 * `apply`; the other finds the new status and changes nothing.
 */
async function settle(
  em: EntityManager,
  orderIdArg: string,
  from: 'RESERVED' | 'COMMITTED',
  next: 'RELEASED' | 'COMMITTED' | 'RETURNED',
  apply: (tx: EntityManager, productItems: ItemRow[]) => Promise<void>,
  onSettled: (current: ReservationResult) => ReservationResult,
): Promise<ReservationOutcome> {
  const orderId = requireUuid(orderIdArg, 'orderId');
  return em.transactional(async (tx) => {
    const moved = await execute(
      tx,
      `update reservation set status = ?, updated_at = now() where order_id = ? and status = ?`,
      [next, orderId, from],
    );
    if (moved === 0) return { result: onSettled(await currentStatus(tx, orderId)), changedProductIds: [] };
    const items = await query<ItemRow>(
      tx,
      'select product_id, animal_id, quantity from reservation_item where order_id = ?',
      [orderId],
    );
    const productItems = items
      .filter((item) => item.product_id !== null)
      .sort((a, b) => (a.product_id! < b.product_id! ? -1 : 1));
    await apply(tx, productItems);
    // Only this order's animals match; no other writer can hold them, so the lock order of this
    // multi-row UPDATE cannot deadlock with a reservation.
    if (items.some((item) => item.animal_id !== null)) await execute(tx, ANIMALS_SQL[next], [orderId]);
    return {
      result: { orderId, status: next },
      changedProductIds: productItems.map((item) => item.product_id!),
    };
  });
}

/**
 * Gives an order's reserved stock and animals back, exactly once. Calling again, or after a
 * commit, changes nothing and answers the current status; an unknown order answers NONE.
 */
export function releaseForOrder(em: EntityManager, orderId: string): Promise<ReservationOutcome> {
  return settle(
    em,
    orderId,
    'RESERVED',
    'RELEASED',
    async (tx, productItems) => {
      for (const item of productItems) {
        await execute(
          tx,
          'update stock set reserved = reserved - ?, updated_at = now() where product_id = ?',
          [item.quantity, item.product_id],
        );
      }
    },
    (current) => current,
  );
}

/**
 * The order is paid: reserved units leave the shop (onHand and reserved both drop) and animals
 * become SOLD, exactly once. Committing again answers COMMITTED; an unknown order answers NONE;
 * a released reservation cannot be committed (CONFLICT: its stock may already be sold again).
 */
export function commitForOrder(em: EntityManager, orderId: string): Promise<ReservationOutcome> {
  return settle(
    em,
    orderId,
    'RESERVED',
    'COMMITTED',
    async (tx, productItems) => {
      for (const item of productItems) {
        await execute(
          tx,
          'update stock set on_hand = on_hand - ?, reserved = reserved - ?, updated_at = now() where product_id = ?',
          [item.quantity, item.quantity, item.product_id],
        );
      }
    },
    (current) => {
      if (current.status === 'RELEASED')
        throw new ConflictError(
          `The reservation of order ${current.orderId} was released; it cannot be committed.`,
        );
      return current;
    },
  );
}

/**
 * The order was cancelled or refunded after payment, before its goods left the shop: everything
 * it holds comes back, exactly once. A COMMITTED reservation becomes RETURNED (each product's
 * onHand grows by the sold quantity, the sold animals become AVAILABLE); a RESERVED one, whose
 * commit never arrived, is released (a commit arriving later is refused, as after any release).
 * Calling again, or on a RELEASED reservation, changes nothing; an unknown order answers NONE.
 */
export function returnForOrder(em: EntityManager, orderIdArg: string): Promise<ReservationOutcome> {
  const orderId = requireUuid(orderIdArg, 'orderId');
  return em.transactional(async (tx) => {
    // The row lock orders this call against a concurrent commit: it sees RESERVED or COMMITTED, never in between.
    const [row] = await query<{ status: ReservationResult['status'] }>(
      tx,
      'select status from reservation where order_id = ? for update',
      [orderId],
    );
    if (row?.status === 'RESERVED') return releaseForOrder(tx, orderId);
    return settle(
      tx,
      orderId,
      'COMMITTED',
      'RETURNED',
      async (inner, productItems) => {
        for (const item of productItems) {
          await execute(
            inner,
            'update stock set on_hand = on_hand + ?, updated_at = now() where product_id = ?',
            [item.quantity, item.product_id],
          );
        }
      },
      (current) => current,
    );
  });
}
