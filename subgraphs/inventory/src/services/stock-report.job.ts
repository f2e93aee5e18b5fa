import type { EntityManager } from '@mikro-orm/postgresql';
import { defineReadModelFeed } from '@terrarium/subgraph-kit/jobs';
import { jsonList, query } from '@terrarium/subgraph-kit/sql';

interface StockReport {
  productId: string;
  available: number;
  asOf: string;
}

const RECORD = /* GraphQL */ `
  mutation RecordStockLevels($reports: [StockLevelInput!]!) {
    recordStockLevels(levels: $reports)
  }
`;

/**
 * Products' search filters on "in stock" from its own read model; this feed keeps it: every stock
 * change enqueues the product's report in its transaction (events.ts), and each start enqueues a
 * full sync. A product without a stock row reports 0 available.
 */
export const stockReports = defineReadModelFeed<StockReport>({
  name: 'products.stock-levels',
  target: 'products',
  document: RECORD,
  field: 'recordStockLevels',
  keyOf: (report) => report.productId,
  read: (em: EntityManager, scope) =>
    'keys' in scope
      ? query<StockReport>(
          em,
          `select k.id as "productId", coalesce(s.on_hand - s.reserved, 0) as available, clock_timestamp() as "asOf"
             from (select jsonb_array_elements_text(?::jsonb)::uuid as id) k left join stock s on s.product_id = k.id`,
          [jsonList(scope.keys)],
        )
      : query<StockReport>(
          em,
          `select s.product_id as "productId", s.on_hand - s.reserved as available, clock_timestamp() as "asOf"
             from stock s where s.product_id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000') order by s.product_id limit ?`,
          [scope.afterKey, scope.limit],
        ),
});
