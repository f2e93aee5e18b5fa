/** Product columns as ProductRecord fields; `p` is the product table's alias. */
export const PRODUCT_COLUMNS = `
  p.id, p.sku, p.slug, p.name, p.description,
  p.price_amount as "priceAmount", p.price_currency as "priceCurrency",
  p.category_id as "categoryId", p.created_by_id as "createdById",
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;

/** Category columns as CategoryRecord fields; `c` is the category table's alias. */
export const CATEGORY_COLUMNS = `c.id, c.name, c.slug, c.parent_id as "parentId"`;
