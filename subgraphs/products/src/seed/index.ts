import type { EntityManager } from '@mikro-orm/postgresql';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { Category } from '../entities/category.entity.js';
import { Product } from '../entities/product.entity.js';
import { SEED_CATEGORIES, SEED_PRODUCTS } from './data.js';
import { slugify } from '../services/slug.js';

/** Seeded rows carry fixed timestamps so that every start produces the same data. */
const SEEDED_AT = Date.UTC(2026, 0, 15, 9, 0, 0);
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The demo catalog (SEED_DEMO). Ids come from seedId, so other subgraphs' seeds can refer to
 * them. Idempotent: rows whose id exists are left as they are, including staff edits to them.
 * The kit runs this in a transaction under an advisory lock, so concurrent starts do not race.
 */
export async function seed(em: EntityManager): Promise<void> {
  const categoryIds = SEED_CATEGORIES.map((c) => seedId(`category:${c.slug}`));
  const productIds = SEED_PRODUCTS.map((p) => seedId(`product:${p.sku}`));
  const existingCategories = new Set(
    (await em.find(Category, { id: { $in: categoryIds } }, { fields: ['id'] })).map((c) => c.id),
  );
  const existingProducts = new Set(
    (await em.find(Product, { id: { $in: productIds } }, { fields: ['id'] })).map((p) => p.id),
  );

  // Parents come first in SEED_CATEGORIES; the unit of work inserts in creation order.
  SEED_CATEGORIES.forEach((category, i) => {
    const id = categoryIds[i]!;
    if (existingCategories.has(id)) return;
    em.create(Category, {
      id,
      name: category.name,
      slug: category.slug,
      parentId: category.parent ? seedId(`category:${category.parent}`) : null,
      createdAt: new Date(SEEDED_AT),
    });
  });
  await em.flush();

  const createdById = seedId('user:admin@terrarium.test');
  SEED_PRODUCTS.forEach((product, i) => {
    const id = productIds[i]!;
    if (existingProducts.has(id)) return;
    const at = new Date(SEEDED_AT + i * DAY_MS);
    em.create(Product, {
      id,
      sku: product.sku,
      slug: slugify(product.name),
      name: product.name,
      description: product.description,
      priceAmount: product.price,
      priceCurrency: 'EUR',
      categoryId: seedId(`category:${product.category}`),
      createdById,
      createdAt: at,
      updatedAt: at,
    });
  });
  await em.flush();
}
