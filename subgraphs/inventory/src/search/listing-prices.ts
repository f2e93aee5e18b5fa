import { requireService, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import { execute } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { ListingPriceInput } from '../generated/resolvers.js';

/** Reports per call: commerce's full sync sends pages of this size. @default 500 */
const MAX_REPORTS = 500;

/**
 * commerce's listing prices, kept for animalSearch's price filter and sort (listing_price). A
 * report older than the one kept (`asOf`, commerce's read time) is ignored, so reports may
 * arrive late, twice or out of order.
 */
export async function recordListingPrices(
  em: EntityManager,
  caller: Caller,
  prices: readonly ListingPriceInput[],
): Promise<boolean> {
  requireService(caller, 'commerce');
  if (prices.length === 0 || prices.length > MAX_REPORTS)
    throw new BadUserInputError(`Send 1 to ${MAX_REPORTS} reports.`, 'prices');
  const seen = new Set<string>();
  const rows = prices.map(({ animalId, amount, currency, asOf }) => {
    const id = requireUuid(animalId, 'animalId');
    // One statement upserts the batch, and Postgres refuses to update a row twice in one.
    if (seen.has(id)) throw new BadUserInputError(`Animal ${id} is reported twice.`, 'animalId');
    seen.add(id);
    if ((amount == null) !== (currency == null))
      throw new BadUserInputError('"amount" and "currency" are given together or not at all.', 'amount');
    if (amount != null && (!Number.isSafeInteger(amount) || amount < 0))
      throw new BadUserInputError('"amount" must be minor units, 0 or more.', 'amount');
    if (currency != null && !/^[A-Z]{3}$/.test(currency))
      throw new BadUserInputError('"currency" must be an ISO-4217 code.', 'currency');
    return {
      animal_id: id,
      amount: amount ?? null,
      currency: currency ?? null,
      as_of: new Date(asOf).toISOString(),
    };
  });
  await execute(
    em,
    `insert into listing_price as l (animal_id, amount, currency, as_of)
     select r.animal_id, r.amount, r.currency, r.as_of from jsonb_to_recordset(?::jsonb) as r(animal_id uuid, amount int, currency text, as_of timestamptz)
     on conflict (animal_id) do update set amount = excluded.amount, currency = excluded.currency, as_of = excluded.as_of
      where l.as_of < excluded.as_of`,
    [JSON.stringify(rows)],
  );
  return true;
}
