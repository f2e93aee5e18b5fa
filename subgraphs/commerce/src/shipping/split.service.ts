import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@terrarium/subgraph-kit/sql';
import type { Address } from './address.js';

/**
 * Part of checkout's first transaction (place-order.service.ts), after the order's lines are in:
 * stores where the order ships and splits it into one PENDING shipment per seller. A line sold
 * through a listing ships from the listing's organization; a catalog product from the store
 * itself (seller null). Rolled back with the order when checkout fails.
 */
export async function splitIntoShipments(
  tx: EntityManager,
  orderId: string,
  address: Address,
): Promise<void> {
  await query(tx, 'update orders set shipping_address = ?::jsonb where id = ?', [
    JSON.stringify(address),
    orderId,
  ]);
  // One statement: the shipments (one per distinct seller of the lines), then each line pointed
  // at its seller's shipment.
  await query(
    tx,
    `with shipments as (
       insert into shipment (order_id, seller_id)
       select distinct ol.order_id, l.organization_id from order_line ol left join listing l on l.id = ol.listing_id where ol.order_id = ?
       returning id, seller_id)
     update order_line ol set shipment_id = s.id
       from shipments s
      where ol.order_id = ?
        and s.seller_id is not distinct from (select l.organization_id from listing l where l.id = ol.listing_id)`,
    [orderId, orderId],
  );
}
