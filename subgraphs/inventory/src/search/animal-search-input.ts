import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '@terrarium/platform/errors';
import { compilePhraseRules, interpret, type Interpretation } from '@terrarium/subgraph-kit/phrases';
import { pageSize } from '@terrarium/subgraph-kit/pagination';
import { query, type ReadOptions } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { AnimalSearchFilters, AnimalSearchSort, AnimalStatus, Sex } from '../generated/resolvers.js';
import { ANIMAL_PHRASES } from './animal-phrases.data.js';

const RULES = compilePhraseRules(ANIMAL_PHRASES);
/** @default 200 characters, as the catalog's search */
const MAX_TEXT = 200;
/** @default 20 genes */
const MAX_GENES = 20;

export interface AnimalFilters {
  speciesId?: string;
  /** Lower-case common name. */
  species?: string;
  sex?: Sex;
  morph?: string;
  /** Lower case. */
  genes?: string[];
  minAgeMonths?: number;
  maxAgeMonths?: number;
  minPrice?: number;
  maxPrice?: number;
  breederId?: string;
  status?: AnimalStatus;
}

export interface AnimalSearchRequest {
  /** Lower-case words left after interpretation; each must appear in the animal's text. */
  words: string[];
  interpretation: Interpretation;
  filters: AnimalFilters;
  sort: AnimalSearchSort;
  size: number;
  after: string | null;
}

export interface AnimalSearchArgs {
  text: string;
  first?: number | null;
  after?: string | null;
  filters?: AnimalSearchFilters | null;
  sort?: AnimalSearchSort | null;
  interpret?: boolean | null;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeNumber = (value: number, field: string, max: number) => {
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new BadUserInputError(`"${field}" must be a whole number from 0 to ${max}.`, field);
  return value;
};

/**
 * Validates the arguments and reads the text: the species table's common names first (so that a
 * new species is understood without a code change), then the phrase rules; explicit filters
 * override what was read, field by field.
 */
export async function readAnimalSearchArgs(
  em: EntityManager,
  args: AnimalSearchArgs,
  reads: ReadOptions = {},
): Promise<AnimalSearchRequest> {
  if (args.text.length > MAX_TEXT || args.text.includes('\u0000'))
    throw new BadUserInputError(`"text" must be at most ${MAX_TEXT} characters, without NUL.`, 'text');
  const raw = args.text.trim();
  let interpretation: Interpretation = { text: raw, filters: [] };
  if (args.interpret !== false) {
    const species = await query<{ name: string }>(
      em,
      'select common_name as name from species order by length(common_name) desc',
      [],
      reads,
    );
    const speciesRules = compilePhraseRules(
      species.map(({ name }) => ({ pattern: `${escapeRegex(name)}s?`, field: 'species', value: name })),
    );
    const bySpecies = interpret(raw, speciesRules);
    const byRules = interpret(bySpecies.text, RULES);
    interpretation = { text: byRules.text, filters: [...bySpecies.filters, ...byRules.filters] };
  }
  const given = args.filters ?? {};
  const read = Object.fromEntries(interpretation.filters.map((f) => [f.field, f.value]));
  const pick = (field: keyof AnimalSearchFilters): unknown => given[field] ?? read[field];
  const f: AnimalFilters = {};
  if (given.speciesId != null) f.speciesId = requireUuid(given.speciesId, 'filters.speciesId');
  if (pick('species') != null) f.species = String(pick('species')).toLowerCase();
  if (pick('sex') != null) f.sex = pick('sex') as Sex;
  if (given.morph != null) f.morph = given.morph.trim().toLowerCase().slice(0, 100);
  if (given.genes != null) {
    if (given.genes.length > MAX_GENES)
      throw new BadUserInputError(`At most ${MAX_GENES} genes.`, 'filters.genes');
    f.genes = given.genes.map((gene) => gene.trim().toLowerCase());
  }
  for (const field of ['minAgeMonths', 'maxAgeMonths'] as const)
    if (pick(field) != null) f[field] = wholeNumber(Number(pick(field)), `filters.${field}`, 1_200);
  for (const field of ['minPrice', 'maxPrice'] as const)
    if (pick(field) != null) f[field] = wholeNumber(Number(pick(field)), `filters.${field}`, 2_147_483_647);
  if (f.minPrice !== undefined && f.maxPrice !== undefined && f.minPrice > f.maxPrice)
    throw new BadUserInputError('"filters.minPrice" must not exceed "filters.maxPrice".', 'filters.minPrice');
  if (given.breederId != null) f.breederId = requireUuid(given.breederId, 'filters.breederId');
  if (given.status != null) f.status = given.status;
  // What was read and not overridden is what the answer reports as read.
  const applied = {
    ...interpretation,
    filters: interpretation.filters.filter((x) => given[x.field as keyof AnimalSearchFilters] == null),
  };
  const words = interpretation.text.toLowerCase().split(/\s+/).filter(Boolean);
  return {
    words,
    interpretation: applied,
    filters: f,
    sort: args.sort ?? 'NEWEST',
    size: pageSize(args.first),
    after: args.after ?? null,
  };
}
