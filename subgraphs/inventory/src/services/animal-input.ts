import { BadUserInputError } from '@terrarium/platform/errors';
import type { AnimalStatus } from '../entities/animal.entity.js';

/** @default 100 characters */
const MAX_NAME = 100;
/** @default 100 characters */
const MAX_MORPH = 100;
/** @default 30 genes of 50 characters */
const MAX_GENES = 30;
const MAX_GENE = 50;
/** Heaviest plausible pet reptile (a large python). @default 150_000 g */
const MAX_WEIGHT_GRAMS = 150_000;

/** Statuses a breeder may set; RESERVED and SOLD belong to checkout. */
const EDITABLE_STATUSES: readonly AnimalStatus[] = ['AVAILABLE', 'HOLDBACK'];

const length = (text: string): number => [...text].length;

export function cleanName(name: string): string {
  const trimmed = name.trim();
  if (length(trimmed) < 1 || length(trimmed) > MAX_NAME)
    throw new BadUserInputError(`"name" must be 1 to ${MAX_NAME} characters.`, 'name');
  return trimmed;
}

/** Blank morphs are stored as none. */
export function cleanMorph(morph: string | null | undefined): string | null {
  const trimmed = morph?.trim();
  if (!trimmed) return null;
  if (length(trimmed) > MAX_MORPH)
    throw new BadUserInputError(`"morph" must be at most ${MAX_MORPH} characters.`, 'morph');
  return trimmed;
}

/** Trimmed, blank ones dropped, duplicates (case-insensitive) dropped, order kept. */
export function cleanGenes(genes: readonly string[] | null | undefined): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const gene of genes ?? []) {
    const trimmed = gene.trim();
    if (!trimmed || seen.has(trimmed.toLowerCase())) continue;
    if (length(trimmed) > MAX_GENE)
      throw new BadUserInputError(`Each gene must be at most ${MAX_GENE} characters.`, 'genes');
    seen.add(trimmed.toLowerCase());
    result.push(trimmed);
  }
  if (result.length > MAX_GENES) throw new BadUserInputError(`At most ${MAX_GENES} genes.`, 'genes');
  return result;
}

export function cleanWeight(grams: number | null | undefined, field = 'weightGrams'): number | null {
  if (grams == null) return null;
  if (!Number.isInteger(grams) || grams < 1 || grams > MAX_WEIGHT_GRAMS) {
    throw new BadUserInputError(
      `"${field}" must be a whole number of grams from 1 to ${MAX_WEIGHT_GRAMS}.`,
      field,
    );
  }
  return grams;
}

/** A hatch date is not in the future (dates are UTC calendar days). */
export function cleanHatchDate(date: string | null | undefined): string | null {
  if (date == null) return null;
  if (date > new Date().toISOString().slice(0, 10))
    throw new BadUserInputError('"hatchDate" cannot be in the future.', 'hatchDate');
  return date;
}

export function cleanStatus(status: AnimalStatus): AnimalStatus {
  if (!EDITABLE_STATUSES.includes(status)) {
    throw new BadUserInputError(
      `"status" may be set to ${EDITABLE_STATUSES.join(' or ')}; ${status} comes from checkout.`,
      'status',
    );
  }
  return status;
}

/** For update inputs: a required field that is present must not be null. */
export function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw new BadUserInputError(`"${field}" cannot be null.`, field);
  return value;
}
