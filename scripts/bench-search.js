// @ts-check
/**
 * Search on an enlarged catalog: the contract's CatalogSearch (products: full text or trigram
 * typo tolerance, filters read from the words, facets) and AnimalSearch (inventory: words,
 * filters read from them, facets) through the gateway, on the demo seed enlarged to 100,000
 * products and 50,000 animals (issue 15's size; the read models of stock, ratings and listing
 * prices filled for a share of them).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node scripts/bench-search.js [--connections 10] [--duration 10] [--products 100000] [--animals 50000]
 *
 * A fresh database is created, seeded by the six subgraphs, enlarged with SQL, analysed, and
 * dropped at the end. Each request takes the next of a fixed list of shopper queries, so the
 * numbers are those of a mix of selective, broad, typo and filter-reading searches rather than of
 * one cached answer. Prints p50/p99 per operation and writes bench/results/search-<date>.json.
 */
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import {
  contractOperation,
  createBenchDatabase,
  readLoadOptions,
  runBench,
  startBenchPlatform,
  writeBenchReport,
} from './lib/bench-setup.js';
import { createJsonPoster, runLoad } from './lib/load.js';

const log = (/** @type {string} */ message) => process.stdout.write(`[bench-search] ${message}\n`);

const {
  connections: CONNECTIONS,
  durationS: DURATION_S,
  warmupS: WARMUP_S,
  values: flags,
} = readLoadOptions({ products: { type: 'string' }, animals: { type: 'string' } });
const PRODUCTS = Number(flags.products ?? 100_000);
const ANIMALS = Number(flags.animals ?? 50_000);

/** What shoppers type: selective and broad words, a typo, filters in the words. */
const SEARCHES = {
  CatalogSearch: [
    'hygrometer',
    'basking lamp',
    'thermostatt',
    'hide cave under 20',
    'lamp 40w',
    'reptile carpet',
    'rock background large',
    'feeding dish',
  ],
  AnimalSearch: [
    'female corn snake under 100',
    'ball python',
    'pastel',
    'het albino',
    'male leopard gecko',
    'crested gecko',
    'banana',
    'corn snake',
  ],
};

/** @type {ReturnType<typeof import('./lib/processes.js').startNode>[]} */
const processes = [];
/** After the processes stop: temporary files, the database. @type {(() => Promise<void>)[]} */
const cleanups = [];
/** Before the processes stop: the bench's own connections. @type {(() => Promise<void>)[]} */
const disposers = [];

/**
 * The demo seed made big: names from a small vocabulary (so words are shared by many rows, as
 * in a real catalog), prices spread over 1 to 500 euros, every seeded category and species and
 * organization; stock and ratings for one product in 10, listing prices for one animal in 2.
 * @param {string} databaseUrl
 */
async function enlarge(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = Date.now();
    await client.query(
      `
      insert into products.product (sku, slug, name, description, price_amount, price_currency, category_id, created_at)
      select 'GEN-' || n, 'gen-' || n,
             (array['Basking Lamp', 'Reptile Carpet', 'Hide Cave', 'Feeding Dish', 'Rock Background',
                    'Water Bowl', 'Climbing Branch', 'Substrate Mix'])[1 + n % 8]
               || case when n % 50 = 0 then ' ' || (n % 7 + 1) * 10 || 'W' else ' Model ' || n end
               || (array['', ' Small', ' Medium', ' Large'])[1 + n % 4],
             'Generated product number ' || n || ' for the search bench.',
             100 + (n * 7919) % 50000, 'EUR',
             (select id from products.category order by slug offset n % (select count(*) from products.category) limit 1),
             timestamptz '2025-01-01' + n * interval '1 minute'
        from generate_series(1, $1::int) as n`,
      [PRODUCTS],
    );
    await client.query(`
      insert into products.product_signal (product_id, available, stock_as_of, rating_average, rating_count, rating_as_of)
      select id, (hashtext(id::text) & 15), now(), 1 + (hashtext(id::text) & 3), 1 + (hashtext(sku) & 7), now()
        from products.product where sku like 'GEN-%' and hashtext(sku) % 10 = 0
      on conflict (product_id) do nothing`);
    await client.query(
      `
      with species as (select array_agg(id order by slug) as ids from inventory.species),
           breeders as (select array_agg(distinct organization_id) as ids from inventory.animal)
      insert into inventory.animal (name, species_id, organization_id, sex, hatch_date, morph, genes, status, created_at)
      select (array['Nova', 'Sunny', 'Ember', 'Mango', 'Pixel', 'Shadow', 'Maple', 'Onyx'])[1 + n % 8] || ' ' || n,
             species.ids[1 + n % array_length(species.ids, 1)],
             breeders.ids[1 + n % array_length(breeders.ids, 1)],
             (array['MALE', 'FEMALE', 'UNKNOWN'])[1 + n % 3],
             date '2020-01-01' + (n % 2000),
             (array['Normal', 'Pastel', 'Banana', 'Albino', 'Tremper', 'Lilly White', 'Anery', null])[1 + n % 8],
             case n % 4 when 0 then array['het albino'] when 1 then array['pastel'] when 2 then array['het clown', 'pastel'] else '{}'::text[] end,
             (array['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'SOLD', 'HOLDBACK'])[1 + n % 5],
             timestamptz '2025-01-01' + n * interval '1 minute'
        from generate_series(1, $1::int) as n, species, breeders`,
      [ANIMALS],
    );
    await client.query(`
      insert into inventory.listing_price (animal_id, amount, currency, as_of)
      select id, 2000 + (hashtext(id::text) & 65535) % 48000, 'EUR', now()
        from inventory.animal where hashtext(id::text) % 2 = 0
      on conflict (animal_id) do nothing`);
    // As autovacuum would after such a load: statistics, and GIN pending lists flushed.
    for (const table of [
      'products.product',
      'products.product_signal',
      'inventory.animal',
      'inventory.listing_price',
    ])
      await client.query(`vacuum analyze ${table}`);
    const counts = await client.query(
      'select (select count(*) from products.product)::int as products, (select count(*) from inventory.animal)::int as animals',
    );
    log(
      `catalog enlarged to ${counts.rows[0].products} products and ${counts.rows[0].animals} animals in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await client.end();
  }
}

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('DATABASE_URL must point at a Postgres server (a fresh database is created on it)');
  const database = await createBenchDatabase(serverUrl, 'terrarium_bench_search');
  cleanups.push(database.drop);
  log(
    `database ${database.name}${process.env.REDIS_URL ? ', Redis ' + process.env.REDIS_URL : ', no Redis'}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const { gatewayUrl } = await startBenchPlatform({ databaseUrl: database.url, processes, cleanups, log });
  await enlarge(database.url);

  const poster = createJsonPoster(gatewayUrl, CONNECTIONS);
  disposers.push(() => poster.close());
  const results = [];
  for (const [name, texts] of Object.entries(SEARCHES)) {
    const query = contractOperation('storefront', name);
    const bodies = texts.map((text) => JSON.stringify({ query, variables: { text }, operationName: name }));
    for (const [index, body] of bodies.entries()) {
      const answer = await poster.post(body);
      if (!answer.ok)
        throw new Error(
          `${name} "${texts[index]}" failed: ${JSON.stringify(answer.json?.errors ?? answer.status)}`,
        );
    }
    let next = 0;
    log(`${name}: ${texts.length} searches in turn, ${CONNECTIONS} connections, ${DURATION_S} s`);
    const load = await runLoad({
      concurrency: CONNECTIONS,
      durationMs: DURATION_S * 1000,
      warmupMs: WARMUP_S * 1000,
      task: async () => (await poster.post(/** @type {string} */ (bodies[next++ % bodies.length]))).ok,
    });
    results.push({ operation: name, searches: texts, ...load });
  }

  process.stdout.write(
    `\noperation      req/s   p50 ms   p99 ms  errors  (${PRODUCTS} + seed products, ${ANIMALS} + seed animals)\n`,
  );
  for (const r of results)
    process.stdout.write(
      `${r.operation.padEnd(13)} ${r.rps.toFixed(0).padStart(6)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)} ${String(r.errors).padStart(7)}\n`,
    );
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    products: PRODUCTS,
    animals: ANIMALS,
    redis: Boolean(process.env.REDIS_URL),
    loadAverage: loadavg(),
    results,
  };
  log(`written ${writeBenchReport('search-', report)}`);
}

await runBench(main, { log, disposers, processes, cleanups });
