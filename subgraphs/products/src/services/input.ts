import { BadUserInputError } from '@terrarium/platform/errors';

/**
 * Checks a free-text argument: at most `max` characters and no NUL (Postgres refuses NUL in
 * text, which would surface as a 500 instead of the client's mistake).
 */
export function checkText(value: string, field: string, max: number): string {
  if (value.length > max) throw new BadUserInputError(`"${field}" must be at most ${max} characters.`, field);
  if (value.includes('\u0000'))
    throw new BadUserInputError(`"${field}" must not contain NUL characters.`, field);
  return value;
}
