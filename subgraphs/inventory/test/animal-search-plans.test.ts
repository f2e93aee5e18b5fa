/**
 * animalSearch's page statement on the demo animals enlarged to 50,000 (generated ones over the
 * seeded species, a few hundred breeders, ten years of hatch dates, a listing price for one in
 * five): each selective filter and the text are served by an index, never by a sequential scan
 * of the animal table. Unselective conditions (a word in a tenth of the names, a species that
 * holds a fifth of the animals, a sex) are rightly read by a scan and are not listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSpecies } from '../src/search/animal-search.js';
import { readAnimalSearchArgs, type AnimalSearchArgs } from '../src/search/animal-search-input.js';
import { pageStatement } from '../src/search/animal-search-sql.js';
import { ORG, startInventory, type InventorySubgraph } from './support.js';

const EXTRA = 50_000;
let inventory: InventorySubgraph;

beforeAll(async () => {
  inventory = await startInventory('inventory_animal_search_plans_test', { redis: false });
  const connection = inventory.orm.em.fork().getConnection();
  // Species as a marketplace has them: many ball pythons, few bearded dragons (2 %). Three in a
  // hundred animals are the seeded breeders', the rest spread over 400 others. One animal in a
  // thousand is a Lavender (morph and gene), the rare words the cases look for.
  await connection.execute(
    `insert into animal (name, species_id, organization_id, sex, hatch_date, morph, genes, status, created_at)
     select (array['Luna', 'Shadow', 'Blaze', 'Noodle', 'Pretzel', 'Ziggy', 'Echo', 'Olive', 'Waffle', 'Comet'])[1 + n % 10] || ' ' || n,
            sp.id,
            case when n % 100 < 3 then (array[?::uuid, ?::uuid, ?::uuid])[1 + n % 3]
                 else md5('breeder-' || n % 400)::uuid end,
            (array['MALE', 'FEMALE', 'UNKNOWN'])[1 + n % 3],
            date '2016-01-01' + (n * 7919) % 3650,
            case when n % 1000 = 7 then 'Lavender Albino'
                 else (array['Normal', 'Pastel', 'Banana', 'Amel', 'Anery', 'Snow', 'Tremper Albino', 'Mack Snow', 'Harlequin', 'Hypo'])[1 + n / 7 % 10] end,
            case when n % 1000 = 7 then array['Lavender', 'Het Ultramel']
                 else array[(array['Pastel', 'Banana', 'Amel', 'Anery', 'Clown'])[1 + n % 5], 'Het ' || (array['Piebald', 'Clown', 'Amel', 'Eclipse'])[1 + n % 4]] end,
            case when n % 10 = 0 then 'SOLD' else 'AVAILABLE' end,
            timestamptz '2025-01-01' + n * interval '1 minute'
       from generate_series(1, ${EXTRA}) as n
       join species sp on sp.slug = case when n % 100 < 45 then 'ball-python' when n % 100 < 70 then 'leopard-gecko'
                                         when n % 100 < 88 then 'corn-snake' when n % 100 < 98 then 'crested-gecko'
                                         else 'bearded-dragon' end`,
    [ORG.sunset, ORG.scales, ORG.desert],
  );
  await connection.execute(`
    insert into listing_price (animal_id, amount, currency, as_of)
    select id, 1000 + abs(hashtext(id::text)) % 200000, 'EUR', now()
      from animal where abs(hashtext(id::text)) % 5 = 0`);
  // As autovacuum would: GIN's pending list flushed (the planner prices a long one high) and statistics.
  await connection.execute('vacuum analyze animal');
  await connection.execute('vacuum analyze listing_price');
}, 180_000);
afterAll(async () => {
  await inventory?.stop();
});

async function plan(args: AnimalSearchArgs): Promise<string> {
  const em = inventory.orm.em.fork();
  const request = await readAnimalSearchArgs(em, args);
  const { sql, params } = pageStatement(request, await resolveSpecies(em, request));
  const rows = await em.getConnection().execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, params);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

describe('animalSearch plans on 50,000 animals', () => {
  it('has them all', async () => {
    const rows = await inventory.orm.em
      .fork()
      .getConnection()
      .execute<{ count: number }[]>('select count(*)::int as count from animal');
    expect(rows[0]!.count).toBeGreaterThanOrEqual(EXTRA);
  });

  it.each([
    ['a rare word (a name)', { text: 'clementine' }],
    ['a rare morph word', { text: 'lavender' }],
    ['a morph', { text: '', filters: { morph: 'lavender' } }],
    ['a breeder', { text: '', filters: { breederId: ORG.sunset } }],
    ['a narrow price band', { text: '', filters: { minPrice: 5_000, maxPrice: 5_100 } }],
    ['a gene list', { text: '', filters: { genes: ['het ultramel', 'het hypo'] } }],
    ['a narrow age band', { text: '', filters: { minAgeMonths: 60, maxAgeMonths: 61 } }],
    ['a rare species read from the words', { text: 'bearded dragons' }],
    // Not a whole species name, so a word: it matches the animals' text or their species' name.
    ["a word in a rare species' name", { text: 'dragon' }],
    [
      'a rare word, sorted by price, with an unselective filter',
      { text: 'lavender', sort: 'PRICE_ASC', filters: { status: 'AVAILABLE' } },
    ],
  ] as const)('%s: no sequential scan of animal', async (_, args) => {
    const text = await plan(args as AnimalSearchArgs);
    expect(text, text).not.toMatch(/Seq Scan on animal\b/);
    expect(text, text).toMatch(/Index|Bitmap/);
  });
});
