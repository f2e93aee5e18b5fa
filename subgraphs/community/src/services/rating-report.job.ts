import { defineReadModelFeed } from '@terrarium/subgraph-kit/jobs';
import { jsonList, query } from '@terrarium/subgraph-kit/sql';

interface RatingReport {
  productId: string;
  /** Null without visible reviews. */
  average: number | null;
  count: number;
  asOf: string;
}

const RECORD = /* GraphQL */ `
  mutation RecordRatings($reports: [RatingInput!]!) {
    recordRatings(ratings: $reports)
  }
`;

const REPORT_COLUMNS = `case when a.review_count > 0 then a.rating_sum::float8 / a.review_count end as average,
  coalesce(a.review_count, 0) as count, clock_timestamp() as "asOf"`;

/**
 * Products' search filters and sorts on ratings from its own read model; this feed keeps it:
 * every change of a product's aggregate enqueues its report in the same transaction
 * (applyRatingDelta), and each start enqueues a full sync. Organizations' ratings stay here.
 */
export const ratingReports = defineReadModelFeed<RatingReport>({
  name: 'products.ratings',
  target: 'products',
  document: RECORD,
  field: 'recordRatings',
  keyOf: (report) => report.productId,
  read: (em, scope) =>
    'keys' in scope
      ? query<RatingReport>(
          em,
          `select k.id as "productId", ${REPORT_COLUMNS}
             from (select jsonb_array_elements_text(?::jsonb)::uuid as id) k
             left join rating_aggregate a on a.subject_type = 'PRODUCT' and a.subject_id = k.id`,
          [jsonList(scope.keys)],
        )
      : query<RatingReport>(
          em,
          `select a.subject_id as "productId", ${REPORT_COLUMNS}
             from rating_aggregate a
            where a.subject_type = 'PRODUCT' and a.subject_id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000')
            order by a.subject_id limit ?`,
          [scope.afterKey, scope.limit],
        ),
});
