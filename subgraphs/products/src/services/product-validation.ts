import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { CreateProductInput, ProductPriceInput, UpdateProductInput } from '../generated/resolvers.js';
import { checkText } from './input.js';

const SKU = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;
const CURRENCY = /^[A-Z]{3}$/;
/** @default 120 characters */
export const MAX_NAME_LENGTH = 120;
/** @default 5000 characters */
export const MAX_DESCRIPTION_LENGTH = 5000;

export function validSku(sku: string): string {
  if (sku.length < 3 || sku.length > 32 || !SKU.test(sku)) {
    throw new BadUserInputError(
      '"sku" must be 3 to 32 upper-case letters and digits in dash-separated groups (TR-HEAT-100).',
      'sku',
    );
  }
  return sku;
}

export function validName(name: string): string {
  const trimmed = checkText(name, 'name', MAX_NAME_LENGTH).trim();
  if (trimmed.length === 0) throw new BadUserInputError('"name" must not be empty.', 'name');
  return trimmed;
}

export function validDescription(description: string): string {
  return checkText(description, 'description', MAX_DESCRIPTION_LENGTH).trim();
}

export function validPrice(price: ProductPriceInput): { priceAmount: number; priceCurrency: string } {
  if (!Number.isSafeInteger(price.amount) || price.amount < 0) {
    throw new BadUserInputError(
      '"price.amount" must be an integer number of minor units, 0 or more.',
      'price.amount',
    );
  }
  if (!CURRENCY.test(price.currency)) {
    throw new BadUserInputError(
      '"price.currency" must be an ISO-4217 code: three upper-case letters (EUR).',
      'price.currency',
    );
  }
  return { priceAmount: price.amount, priceCurrency: price.currency };
}

export function validCategoryId(categoryId: string): string {
  if (!isUuid(categoryId)) throw new BadUserInputError('"categoryId" must be a category id.', 'categoryId');
  return categoryId.toLowerCase();
}

/** The columns a create writes, validated (the slug is derived later). */
export function validCreate(input: CreateProductInput) {
  return {
    sku: validSku(input.sku),
    name: validName(input.name),
    description: validDescription(input.description),
    ...validPrice(input.price),
    categoryId: input.categoryId == null ? null : validCategoryId(input.categoryId),
  };
}

/**
 * The columns an update changes. An absent field is kept; an explicit null is refused except for
 * categoryId, where it files the product under no category.
 */
export function validUpdate(input: UpdateProductInput) {
  const refuseNull = (field: keyof UpdateProductInput) => {
    if (input[field] === null) throw new BadUserInputError(`"${field}" cannot be null.`, field);
  };
  (['sku', 'name', 'description', 'price'] as const).forEach(refuseNull);
  return {
    ...(input.sku != null && { sku: validSku(input.sku) }),
    ...(input.name != null && { name: validName(input.name) }),
    ...(input.description != null && { description: validDescription(input.description) }),
    ...(input.price != null && validPrice(input.price)),
    ...(input.categoryId !== undefined && {
      categoryId: input.categoryId === null ? null : validCategoryId(input.categoryId),
    }),
  };
}
