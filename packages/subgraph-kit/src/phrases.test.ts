import { describe, expect, it } from 'vitest';
import { compilePhraseRules, interpret } from './phrases.js';

const rules = compilePhraseRules([
  { pattern: 'female|females', field: 'sex', value: 'FEMALE' },
  { pattern: '(?:under|below) ([0-9]+(?:\\.[0-9]{1,2})?)', field: 'maxPrice', value: '$1', scale: 100 },
  { pattern: '([0-9]{1,4}) ?w', field: 'wattage', value: '$1' },
]);

describe('phrase rules', () => {
  it('reads filters out of the words and leaves the rest as text', () => {
    expect(interpret('female corn snake under 100', rules)).toEqual({
      text: 'corn snake',
      filters: [
        { field: 'sex', value: 'FEMALE' },
        { field: 'maxPrice', value: '10000' },
      ],
    });
    expect(interpret('heat mat 50w', rules)).toEqual({
      text: 'heat mat',
      filters: [{ field: 'wattage', value: '50' }],
    });
  });

  it('matches whole words only, case-insensitively, and scales decimals exactly', () => {
    expect(interpret('Females UNDER 19.99', rules).filters).toEqual([
      { field: 'sex', value: 'FEMALE' },
      { field: 'maxPrice', value: '1999' },
    ]);
    // "femaleish" and "50watt-hours" are not the phrases.
    expect(interpret('femaleish 50wx', rules)).toEqual({ text: 'femaleish 50wx', filters: [] });
  });
});
