import { defineReadModelFeed } from '@terrarium/subgraph-kit/jobs';
import { jsonList, query } from '@terrarium/subgraph-kit/sql';

interface ListingPriceReport {
  animalId: string;
  /** Null when the animal has no open (or sold) listing: no price to filter on. */
  amount: number | null;
  currency: string | null;
  asOf: string;
}

const RECORD = /* GraphQL */ `
  mutation RecordListingPrices($reports: [ListingPriceInput!]!) {
    recordListingPrices(prices: $reports)
  }
`;

/** The animal's latest listing that is or was on offer (ACTIVE, RESERVED, SOLD); none reports null. */
const LATEST = `select distinct on (l.animal_id) l.animal_id, l.price_amount, l.currency
  from listing l where l.status in ('ACTIVE', 'RESERVED', 'SOLD') and l.animal_id is not null`;

/**
 * inventory's animalSearch filters and sorts on listing prices from a read model of its own; this
 * feed keeps it: creating or changing an animal's listing enqueues the animal's report in the same
 * transaction (listing.service.ts), and each start enqueues a full sync.
 */
export const listingPriceReports = defineReadModelFeed<ListingPriceReport>({
  name: 'inventory.listing-prices',
  target: 'inventory',
  document: RECORD,
  field: 'recordListingPrices',
  keyOf: (report) => report.animalId,
  read: (em, scope) =>
    'keys' in scope
      ? query<ListingPriceReport>(
          em,
          `select k.id as "animalId", p.price_amount as amount, p.currency::text as currency, clock_timestamp() as "asOf"
             from (select jsonb_array_elements_text(?::jsonb)::uuid as id) k
             left join (${LATEST} order by l.animal_id, l.created_at desc) p on p.animal_id = k.id`,
          [jsonList(scope.keys)],
        )
      : query<ListingPriceReport>(
          em,
          `select p.animal_id as "animalId", p.price_amount as amount, p.currency::text as currency, clock_timestamp() as "asOf"
             from (${LATEST} and l.animal_id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000')
                   order by l.animal_id, l.created_at desc) p
            order by p.animal_id limit ?`,
          [scope.afterKey, scope.limit],
        ),
});
