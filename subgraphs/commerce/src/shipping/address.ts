import { BadUserInputError } from '@terrarium/platform/errors';
import { COUNTRY_CODES } from './countries.js';

/** A postal address as stored on an order (orders.shipping_address, jsonb) and shown by the API. */
export interface Address {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

/** The AddressInput as GraphQL hands it over (line2 may be absent). */
export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
}

/** Longest value per field, in characters: generous for real addresses, small enough for a label. */
const MAX_LENGTH = { name: 100, line1: 200, line2: 200, city: 100, postalCode: 16 } as const;
/** Control characters (newlines, NUL...) would break a shipping label and mails. */
const CONTROL = /\p{Cc}/u;
/** Postal codes worldwide: letters, digits, spaces and dashes (SW1A 1AA, 10115, 100-0001). */
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]*$/;

function text(value: string, field: keyof typeof MAX_LENGTH, required: boolean): string | null {
  const trimmed = value.trim();
  const path = `shippingAddress.${field}`;
  if (trimmed === '') {
    if (required) throw new BadUserInputError(`"${path}" must not be empty.`, path);
    return null;
  }
  if (trimmed.length > MAX_LENGTH[field])
    throw new BadUserInputError(`"${path}" must be at most ${MAX_LENGTH[field]} characters.`, path);
  if (CONTROL.test(trimmed))
    throw new BadUserInputError(`"${path}" must not contain control characters such as line breaks.`, path);
  return trimmed;
}

/**
 * A shipping address, checked field by field (BAD_USER_INPUT naming the field): surrounding
 * spaces trimmed, an empty line2 dropped, the country an assigned ISO 3166-1 alpha-2 code (any
 * case; stored upper case).
 */
export function validateAddress(input: AddressInput): Address {
  const postalCode = text(input.postalCode, 'postalCode', true)!;
  if (!POSTAL_CODE.test(postalCode)) {
    throw new BadUserInputError(
      '"shippingAddress.postalCode" may hold only letters, digits, spaces and dashes.',
      'shippingAddress.postalCode',
    );
  }
  const country = input.country.trim().toUpperCase();
  if (!COUNTRY_CODES.has(country)) {
    throw new BadUserInputError(
      `"shippingAddress.country" must be an ISO 3166-1 alpha-2 country code such as DE or US, got "${input.country}".`,
      'shippingAddress.country',
    );
  }
  return {
    name: text(input.name, 'name', true)!,
    line1: text(input.line1, 'line1', true)!,
    line2: input.line2 == null ? null : text(input.line2, 'line2', false),
    city: text(input.city, 'city', true)!,
    postalCode,
    country,
  };
}
