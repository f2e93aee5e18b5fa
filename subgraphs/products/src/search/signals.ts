import { requireService, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import { execute, query } from '@terrarium/subgraph-kit/sql';
import type { Context } from '../context.js';
import { bumpListVersion } from '../services/list-cache.js';
import type { RatingInput, StockLevelInput } from '../generated/resolvers.js';

/** Reports per call: the owners' full syncs send pages of this size. @default 500 */
export const MAX_REPORTS = 500;

/**
 * The search read model (product_signal): facts other subgraphs own, reported by their jobs and
 * kept here to filter and sort on, and community's rating to show on list pages. A report older
 * than the one kept (`asOf`, the owner's read time) is ignored, so reports may arrive in any order
 * and any number of times.
 */
function checkReports<T extends { productId: string; asOf: Date | string }>(reports: readonly T[]): T[] {
  if (reports.length === 0 || reports.length > MAX_REPORTS)
    throw new BadUserInputError(`Send 1 to ${MAX_REPORTS} reports.`, 'reports');
  const seen = new Set<string>();
  return reports.map((report) => {
    if (!isUuid(report.productId))
      throw new BadUserInputError(`"${report.productId}" is not a product id.`, 'productId');
    const productId = report.productId.toLowerCase();
    // One statement upserts the batch, and Postgres refuses to update a row twice in one.
    if (seen.has(productId))
      throw new BadUserInputError(`Product ${productId} is reported twice.`, 'productId');
    seen.add(productId);
    return { ...report, productId };
  });
}

/** inventory's stock levels (units available for sale). */
export async function recordStockLevels(
  em: EntityManager,
  caller: Caller,
  levels: readonly StockLevelInput[],
): Promise<boolean> {
  requireService(caller, 'inventory');
  const rows = checkReports(levels).map(({ productId, available, asOf }) => {
    if (!Number.isSafeInteger(available))
      throw new BadUserInputError('"available" must be a whole number of units.', 'available');
    return { product_id: productId, available, as_of: new Date(asOf).toISOString() };
  });
  await execute(
    em,
    `insert into product_signal as s (product_id, available, stock_as_of)
     select r.product_id, r.available, r.as_of from jsonb_to_recordset(?::jsonb) as r(product_id uuid, available int, as_of timestamptz)
     on conflict (product_id) do update set available = excluded.available, stock_as_of = excluded.stock_as_of
      where s.stock_as_of is null or s.stock_as_of < excluded.stock_as_of`,
    [JSON.stringify(rows)],
  );
  return true;
}

/**
 * community's review aggregates: average (1 to 5, null without reviews) and count. The lists
 * serve the average (Product.averageRating, provided by Query.products and Category.products), so
 * the reports that change it bump the list version and tell the gateways' entity caches; the
 * full sync every community start repeats unchanged values, which only advance `rating_as_of`.
 */
export async function recordRatings(ctx: Context, ratings: readonly RatingInput[]): Promise<boolean> {
  requireService(ctx.caller, 'community');
  const rows = checkReports(ratings).map(({ productId, average, count, asOf }) => {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new BadUserInputError('"count" must be a whole number, 0 or more.', 'count');
    const avg = average ?? null;
    if ((count === 0) !== (avg === null) || (avg !== null && !(avg >= 1 && avg <= 5))) {
      throw new BadUserInputError('"average" must be 1 to 5 with reviews and null without.', 'average');
    }
    return { product_id: productId, average: avg, count, as_of: new Date(asOf).toISOString() };
  });
  const reports = `select r.product_id, round(r.average, 2) as average, r.count, r.as_of
    from jsonb_to_recordset(?::jsonb) as r(product_id uuid, average numeric, count int, as_of timestamptz)`;
  const payload = JSON.stringify(rows);
  const changed = await ctx.em.transactional(async (tx) => {
    // Two statements, each judging the row as it is when locked (a concurrent report's commit
    // included): the same values only move the read time; different ones are the changes.
    await execute(
      tx,
      `update product_signal s set rating_as_of = r.as_of from (${reports}) r
        where s.product_id = r.product_id and s.rating_as_of < r.as_of
          and s.rating_average is not distinct from r.average and s.rating_count = r.count`,
      [payload],
    );
    return query<{ productId: string }>(
      tx,
      `insert into product_signal as s (product_id, rating_average, rating_count, rating_as_of)
       ${reports}
       on conflict (product_id) do update
          set rating_average = excluded.rating_average, rating_count = excluded.rating_count, rating_as_of = excluded.rating_as_of
        where s.rating_as_of is null or s.rating_as_of < excluded.rating_as_of
       returning s.product_id as "productId"`,
      [payload],
    );
  });
  if (changed.length > 0) {
    await bumpListVersion(ctx.cache);
    ctx.entityChanges.changed('Product', ...changed.map((row) => row.productId));
  }
  return true;
}
