import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createOrm, migrate, type Orm } from '@terrarium/subgraph-kit/orm';
import { entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';
import { ORG } from './support.js';

const SCHEMA = 'commerce_shipments_migration';

/** Commerce's ORM on the test schema, with the migrations up to `count` only. */
function ormWith(count: number): Promise<Orm> {
  return createOrm({
    databaseUrl: process.env['DATABASE_URL']!,
    schema: SCHEMA,
    entities,
    migrations: migrations.slice(0, count),
    logger: pino({ level: 'silent' }),
  });
}

describe('the shipments migration on a database that already has orders', () => {
  const orms: Orm[] = [];
  afterAll(async () => {
    await orms[0]?.em.fork().getConnection().execute(`drop schema if exists "${SCHEMA}" cascade`);
    await Promise.all(orms.map((orm) => orm.close()));
  });

  it("gives each order one shipment per seller, its status from the order's history", async () => {
    const before = await ormWith(1);
    orms.push(before);
    await migrate(before, SCHEMA);
    const run = (text: string, params: unknown[] = []) =>
      before.em.fork().getConnection().execute(text, params);
    const listing = randomUUID();
    await run(
      `insert into listing (id, organization_id, animal_id, status, price_amount, currency) values (?, ?, ?, 'SOLD', 100, 'EUR')`,
      [listing, ORG.sunset, randomUUID()],
    );
    const orders = {
      delivered: randomUUID(),
      paid: randomUUID(),
      cancelled: randomUUID(),
      refunded: randomUUID(),
    };
    const history: Record<keyof typeof orders, string[]> = {
      delivered: ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED'],
      paid: ['PENDING', 'PAID'],
      cancelled: ['PENDING', 'CANCELLED'],
      refunded: ['PENDING', 'PAID', 'REFUNDED'],
    };
    for (const [name, id] of Object.entries(orders) as [keyof typeof orders, string][]) {
      const steps = history[name];
      await run(
        `insert into orders (id, buyer_id, status, reservation_state, currency, subtotal_amount, total_amount) values (?, ?, ?, 'COMMITTED', 'EUR', 200, 200)`,
        [id, randomUUID(), steps.at(-1)],
      );
      // One line from Sunset Reptiles' listing, one from the store's catalog.
      await run(
        `insert into order_line (order_id, position, listing_id, quantity, unit_amount, currency) values (?, 0, ?, 1, 100, 'EUR')`,
        [id, listing],
      );
      await run(
        `insert into order_line (order_id, position, product_id, quantity, unit_amount, currency) values (?, 1, ?, 1, 100, 'EUR')`,
        [id, randomUUID()],
      );
      for (const [i, to] of steps.entries()) {
        await run(
          `insert into order_status_change (order_id, from_status, to_status, changed_at) values (?, ?, ?, ?)`,
          [id, steps[i - 1] ?? null, to, new Date(Date.UTC(2026, 0, 1, i))],
        );
      }
    }

    const after = await ormWith(migrations.length);
    orms.push(after);
    await migrate(after, SCHEMA);
    const shipments = await after.em
      .fork()
      .getConnection()
      .execute<
        {
          order_id: string;
          seller_id: string | null;
          status: string;
          released: boolean;
          shipped_at: string | null;
          lines: number;
        }[]
      >(
        `select s.order_id, s.seller_id, s.status, s.released_at is not null as released, s.shipped_at,
                (select count(*)::int from order_line ol where ol.shipment_id = s.id) as lines
           from shipment s order by s.order_id, s.seller_id nulls last`,
      );
    const of = (order: string) =>
      shipments
        .filter((s) => s.order_id === order)
        .map(({ seller_id, status, released, lines }) => ({ seller_id, status, released, lines }));
    const both = (status: string, released: boolean) => [
      { seller_id: ORG.sunset, status, released, lines: 1 },
      { seller_id: null, status, released, lines: 1 },
    ];
    expect(of(orders.delivered)).toEqual(both('DELIVERED', true));
    expect(of(orders.paid)).toEqual(both('PENDING', true));
    expect(of(orders.cancelled)).toEqual(both('CANCELLED', false));
    expect(of(orders.refunded)).toEqual(both('CANCELLED', true));
    // When it shipped is when the order became SHIPPED (the third step of its history).
    const shippedAt = shipments.find((s) => s.order_id === orders.delivered)?.shipped_at;
    expect(new Date(shippedAt!)).toEqual(new Date(Date.UTC(2026, 0, 1, 2)));
  });
});
