import { randomUUID } from 'node:crypto';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError, NotFoundError } from '@terrarium/platform/errors';
import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { Context } from '../context.js';
import { Product, type ProductEntity, type ProductRecord } from '../entities/product.entity.js';
import type { CreateProductInput, UpdateProductInput } from '../generated/resolvers.js';
import { bumpListVersion } from './list-cache.js';
import { validCreate, validUpdate } from './product-validation.js';
import { firstFreeSlug, slugify } from './slug.js';
import { query } from '@terrarium/subgraph-kit/sql';

/** Two creates may derive the same free slug at once; the loser recomputes. @default 3 */
const SLUG_ATTEMPTS = 3;

/** Creates a product (staff only) with a unique slug derived from its name. */
export async function createProduct(ctx: Context, input: CreateProductInput): Promise<ProductRecord> {
  requireStaff(ctx.caller);
  const data = validCreate(input);
  if (data.categoryId) await requireCategory(ctx, data.categoryId);
  const base = slugify(data.name);
  if (!base)
    throw new BadUserInputError(
      '"name" must contain letters or digits (the slug is made from them).',
      'name',
    );

  for (let attempt = 1; ; attempt += 1) {
    const taken = await query<{ slug: string }>(
      ctx.em,
      `select slug from product where slug = ? or slug like ?`,
      [base, `${base}-%`],
    );
    const slug = firstFreeSlug(base, new Set(taken.map((row) => row.slug)));
    // A fresh fork per attempt: a failed flush leaves its unit of work unusable.
    const em = ctx.em.fork();
    let product: ProductEntity;
    try {
      // The audit entry's job commits with the product (the outbox) and reaches ops after.
      product = await em.transactional(async (tx) => {
        const created = tx.create(Product, {
          id: randomUUID(),
          ...data,
          slug,
          createdById: ctx.caller.userId,
        });
        await tx.flush();
        await enqueueAudit(ctx.jobs, tx, {
          actor: ctx.caller.userId,
          action: 'createProduct',
          subject: `Product:${created.id}`,
          diff: { ...data, slug },
        });
        return created;
      });
    } catch (err) {
      if (constraintOf(err) === 'product_slug_key' && attempt < SLUG_ATTEMPTS) continue;
      throw translateWriteError(err, data.sku);
    }
    await bumpListVersion(ctx.cache);
    return toProductRecord(product);
  }
}

/** Changes a product (staff only). The slug is kept, so that links to the product keep working. */
export async function updateProduct(
  ctx: Context,
  id: string,
  input: UpdateProductInput,
): Promise<ProductRecord> {
  requireStaff(ctx.caller);
  if (!isUuid(id)) throw new BadUserInputError('"id" must be a product id.', 'id');
  const changes = validUpdate(input);
  if (changes.categoryId) await requireCategory(ctx, changes.categoryId);
  let product: ProductEntity;
  try {
    product = await ctx.em.transactional(async (tx) => {
      const found = await tx.findOne(Product, { id: id.toLowerCase() });
      if (!found) throw new NotFoundError('Product');
      tx.assign(found, changes);
      await tx.flush();
      await enqueueAudit(ctx.jobs, tx, {
        actor: ctx.caller.userId,
        action: 'updateProduct',
        subject: `Product:${found.id}`,
        diff: { ...changes },
      });
      return found;
    });
  } catch (err) {
    throw translateWriteError(err, changes.sku);
  }
  // After the commit: a list cached from here on sees the change (see list-cache.ts).
  await bumpListVersion(ctx.cache);
  return toProductRecord(product);
}

async function requireCategory(ctx: Context, categoryId: string): Promise<void> {
  if (!(await ctx.loaders.categoryById.load(categoryId)))
    throw new BadUserInputError('Unknown category.', 'categoryId');
}

function constraintOf(err: unknown): string | undefined {
  return err instanceof UniqueConstraintViolationException
    ? (err as { constraint?: string }).constraint
    : undefined;
}

/** Constraint violations are the client's: a taken SKU, a category deleted meanwhile. */
function translateWriteError(err: unknown, sku: string | undefined): unknown {
  if (constraintOf(err) === 'product_sku_key') return new ConflictError(`SKU "${sku}" is already taken.`);
  if (err instanceof ForeignKeyConstraintViolationException)
    return new BadUserInputError('Unknown category.', 'categoryId');
  return err;
}

export function toProductRecord(product: ProductEntity): ProductRecord {
  return {
    id: product.id,
    sku: product.sku,
    slug: product.slug,
    name: product.name,
    description: product.description,
    priceAmount: product.priceAmount,
    priceCurrency: product.priceCurrency,
    categoryId: product.categoryId ?? null,
    createdById: product.createdById ?? null,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  };
}
