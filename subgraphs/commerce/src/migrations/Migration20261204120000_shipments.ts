import { Migration } from '@mikro-orm/migrations';

/**
 * Orders that ship: the buyer's address on the order, and one shipment per seller (the
 * organization of a listing line; null for the store's own supplies). Each order line belongs to
 * the shipment that carries it. Orders placed before this migration get their shipments here,
 * their status read from the order's history.
 */
export class Migration20261204120000_shipments extends Migration {
  override async up(): Promise<void> {
    // { name, line1, line2, city, postalCode, country }, validated by checkout (src/shipping/address.ts).
    this.addSql(
      `alter table orders add column shipping_address jsonb check (shipping_address is null or jsonb_typeof(shipping_address) = 'object')`,
    );

    this.addSql(`
      create table shipment (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null references orders (id) on delete cascade,
        -- The selling organization (ops' Organization); null: the store itself, shipped by staff.
        seller_id uuid,
        status text not null default 'PENDING' check (status in ('PENDING', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
        carrier text,
        tracking_number text,
        -- When the order was paid: from then on the seller sees the shipment and may ship it.
        released_at timestamptz,
        shipped_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz not null default date_trunc('milliseconds', now()),
        updated_at timestamptz not null default now(),
        -- One per seller (the store's too); also the index for an order's shipments.
        unique nulls not distinct (order_id, seller_id),
        check (status not in ('SHIPPED', 'DELIVERED') or shipped_at is not null),
        check (status <> 'DELIVERED' or delivered_at is not null)
      )`);
    // The sellers' (and staff's) queues, newest paid first: keyset on (released_at, id).
    this.addSql(
      'create index shipment_seller_page on shipment (seller_id, released_at desc, id desc) where released_at is not null',
    );
    // The auto-confirmation's scan of shipments still in transit.
    this.addSql(`create index shipment_in_transit on shipment (shipped_at) where status = 'SHIPPED'`);

    this.addSql('alter table order_line add column shipment_id uuid references shipment (id)');
    this.addSql('create index order_line_shipment on order_line (shipment_id)');

    // Existing orders: one shipment per (order, seller), its status from what the order went through.
    this.addSql(`
      insert into shipment (order_id, seller_id, status, released_at, shipped_at, delivered_at, created_at)
      select o.id, sellers.seller_id,
             case when delivered.at is not null then 'DELIVERED'
                  when shipped.at is not null then 'SHIPPED'
                  when o.status in ('CANCELLED', 'REFUNDED') then 'CANCELLED'
                  else 'PENDING' end,
             paid.at, shipped.at, delivered.at, o.placed_at
        from orders o
        join (select distinct ol.order_id, l.organization_id as seller_id
                from order_line ol left join listing l on l.id = ol.listing_id) sellers on sellers.order_id = o.id
        left join lateral (select min(changed_at) as at from order_status_change where order_id = o.id and to_status = 'PAID') paid on true
        left join lateral (select min(changed_at) as at from order_status_change where order_id = o.id and to_status = 'SHIPPED') shipped on true
        left join lateral (select min(changed_at) as at from order_status_change where order_id = o.id and to_status = 'DELIVERED') delivered on true`);
    this.addSql(`
      update order_line ol set shipment_id = s.id
        from shipment s
       where s.order_id = ol.order_id
         and s.seller_id is not distinct from (select l.organization_id from listing l where l.id = ol.listing_id)`);
  }
}
