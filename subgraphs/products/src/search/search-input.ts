import { BadUserInputError } from '@terrarium/platform/errors';
import { compilePhraseRules, interpret, type Interpretation } from '@terrarium/subgraph-kit/phrases';
import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { ProductSearchFilters, ProductSearchSort } from '../generated/resolvers.js';
import { checkText } from '../services/input.js';
import { MAX_SEARCH_LENGTH } from '../services/product-list.js';
import { PRODUCT_PHRASES } from './phrases.data.js';

const RULES = compilePhraseRules(PRODUCT_PHRASES);

/** A search's filters once validated: every field set is a condition. */
export interface SearchFilters {
  categorySlug?: string;
  /** Minor units, inclusive. */
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  /** 1 to 5. */
  minRating?: number;
  wattage?: number;
}

export interface SearchRequest {
  /** The words left for matching after interpretation, trimmed; may be empty. */
  text: string;
  interpretation: Interpretation;
  filters: SearchFilters;
  sort: ProductSearchSort;
  size: number;
  after: string | null;
}

export interface SearchArgs {
  text: string;
  first?: number | null;
  after?: string | null;
  filters?: ProductSearchFilters | null;
  sort?: ProductSearchSort | null;
  interpret?: boolean | null;
}

const priceOf = (value: number, field: string) => {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new BadUserInputError(`"${field}" must be a whole number of minor units, 0 or more.`, field);
  return value;
};

/**
 * Validates the arguments and reads the text: filters read from the words come first, explicit
 * ones override them field by field (a client undoing a read filter sends interpret: false).
 */
export function readSearchArgs(args: SearchArgs): SearchRequest {
  const raw = checkText(args.text, 'text', MAX_SEARCH_LENGTH).trim();
  const interpretation = args.interpret === false ? { text: raw, filters: [] } : interpret(raw, RULES);
  const read = Object.fromEntries(interpretation.filters.map((f) => [f.field, f.value]));
  const given = args.filters ?? {};
  const pick = <T>(field: keyof ProductSearchFilters, parse: (value: string) => T): T | undefined => {
    const explicit = given[field];
    if (explicit !== undefined && explicit !== null) return explicit as T;
    return read[field] === undefined ? undefined : parse(read[field]);
  };
  const filters: SearchFilters = {};
  const categorySlug = pick('categorySlug', String);
  if (categorySlug !== undefined) filters.categorySlug = checkText(categorySlug, 'filters.categorySlug', 120);
  const minPrice = pick('minPrice', Number);
  if (minPrice !== undefined) filters.minPrice = priceOf(minPrice, 'filters.minPrice');
  const maxPrice = pick('maxPrice', Number);
  if (maxPrice !== undefined) filters.maxPrice = priceOf(maxPrice, 'filters.maxPrice');
  if (
    filters.minPrice !== undefined &&
    filters.maxPrice !== undefined &&
    filters.minPrice > filters.maxPrice
  ) {
    throw new BadUserInputError('"filters.minPrice" must not exceed "filters.maxPrice".', 'filters.minPrice');
  }
  const inStock = pick('inStock', (value) => value === 'true');
  if (inStock !== undefined) filters.inStock = inStock;
  const minRating = pick('minRating', Number);
  if (minRating !== undefined) {
    if (!Number.isFinite(minRating) || minRating < 1 || minRating > 5)
      throw new BadUserInputError('"filters.minRating" must be between 1 and 5.', 'filters.minRating');
    filters.minRating = minRating;
  }
  const wattage = pick('wattage', Number);
  if (wattage !== undefined) {
    if (!Number.isSafeInteger(wattage) || wattage < 1 || wattage > 9999)
      throw new BadUserInputError('"filters.wattage" must be 1 to 9999 watts.', 'filters.wattage');
    filters.wattage = wattage;
  }
  // What was read and not overridden is what the answer reports as read.
  const applied = {
    ...interpretation,
    filters: interpretation.filters.filter((f) => given[f.field as keyof ProductSearchFilters] == null),
  };
  return {
    text: interpretation.text,
    interpretation: applied,
    filters,
    sort: args.sort ?? 'RELEVANCE',
    size: pageSize(args.first),
    after: args.after ?? null,
  };
}
