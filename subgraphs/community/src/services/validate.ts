import { BadUserInputError } from '@terrarium/platform/errors';

/**
 * Text trimmed of surrounding whitespace, from 1 to `max` characters (Unicode code points, as
 * Postgres' char_length counts them).
 */
export function requireText(value: string, field: string, max: number): string {
  const text = value.trim();
  const length = [...text].length;
  if (length === 0) throw new BadUserInputError(`"${field}" must not be empty.`, field);
  if (length > max)
    throw new BadUserInputError(`"${field}" must be at most ${max} characters, got ${length}.`, field);
  return text;
}

export function requireRating(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 5) {
    throw new BadUserInputError(`"${field}" must be a whole number from 1 to 5, got ${value}.`, field);
  }
  return value;
}
