import type { PhraseRule } from '@terrarium/subgraph-kit/phrases';

/**
 * What animalSearch reads out of a query's words, as data (species are read from the species
 * table, see animal-search-input.ts). Prices are written in major units (euros) and filtered in
 * minor units. The first rule of a field that matches sets it, and its words leave the text.
 */
export const ANIMAL_PHRASES: readonly PhraseRule[] = [
  { pattern: 'females?|girls?|0\\.1', field: 'sex', value: 'FEMALE' },
  { pattern: 'males?|boys?|1\\.0', field: 'sex', value: 'MALE' },
  {
    pattern:
      '(?:under|below|less than|cheaper than|up to|max) ?€?([0-9]{1,6}(?:[.,][0-9]{1,2})?) ?(?:€|eur|euros?)?',
    field: 'maxPrice',
    value: '$1',
    scale: 100,
  },
  {
    pattern: '(?:over|above|more than|at least|from) ?€?([0-9]{1,6}(?:[.,][0-9]{1,2})?) ?(?:€|eur|euros?)?',
    field: 'minPrice',
    value: '$1',
    scale: 100,
  },
  { pattern: 'hatchlings?|babies|baby', field: 'maxAgeMonths', value: '6' },
  { pattern: 'adults?', field: 'minAgeMonths', value: '18' },
];
