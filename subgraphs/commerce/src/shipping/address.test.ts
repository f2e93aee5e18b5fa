import { describe, expect, it } from 'vitest';
import { validateAddress } from './address.js';
import { COUNTRY_CODES } from './countries.js';

const ADDRESS = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' };

describe('validateAddress', () => {
  it('knows the 249 assigned ISO 3166-1 alpha-2 codes and nothing else', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['DE', 'GB', 'US', 'JP', 'ZW', 'AX', 'BQ', 'SS'])
      expect(COUNTRY_CODES.has(code)).toBe(true);
    for (const code of ['UK', 'EU', 'XK', 'AC', 'ZZ', 'D', 'DEU'])
      expect(COUNTRY_CODES.has(code)).toBe(false);
  });

  it('trims, upper-cases the country and drops an empty line2', () => {
    expect(
      validateAddress({ ...ADDRESS, name: ' Ada ', line2: ' ', country: 'gb', postalCode: 'SW1A 1AA' }),
    ).toEqual({
      ...ADDRESS,
      line2: null,
      country: 'GB',
      postalCode: 'SW1A 1AA',
    });
    expect(validateAddress({ ...ADDRESS, line2: 'Apt 4' }).line2).toBe('Apt 4');
  });

  it('names the field at fault', () => {
    const fieldOf = (input: Partial<typeof ADDRESS> & { line2?: string }) => {
      try {
        validateAddress({ ...ADDRESS, ...input });
      } catch (err) {
        return (err as { extensions: { code: string; field: string } }).extensions;
      }
      return null;
    };
    expect(fieldOf({ country: 'XK' })).toEqual({ code: 'BAD_USER_INPUT', field: 'shippingAddress.country' });
    expect(fieldOf({ name: '' })).toEqual({ code: 'BAD_USER_INPUT', field: 'shippingAddress.name' });
    expect(fieldOf({ line2: 'a\u0000b' })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.line2',
    });
    expect(fieldOf({ postalCode: '-1' })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.postalCode',
    });
    expect(fieldOf({ postalCode: '1'.repeat(17) })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.postalCode',
    });
    expect(fieldOf({ line1: 'x'.repeat(201) })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.line1',
    });
  });
});
