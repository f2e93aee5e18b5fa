import type { PhraseRule } from '@terrarium/subgraph-kit/phrases';

/**
 * What productSearch reads out of a query's words, as data: a new phrase is a new line here, not
 * new code. Prices are written by shoppers in major units (euros) and filtered in minor units.
 * Order matters: the first rule of a field that matches sets it, and its words leave the text.
 */
export const PRODUCT_PHRASES: readonly PhraseRule[] = [
  { pattern: '([0-9]{1,4}) ?(?:w|watts?)', field: 'wattage', value: '$1' },
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
  { pattern: 'in stock|available now', field: 'inStock', value: 'true' },
  { pattern: '([1-5]) ?(?:\\+ ?)?stars?(?: (?:and up|or more))?', field: 'minRating', value: '$1' },
];
