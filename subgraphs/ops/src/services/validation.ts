import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';

/** Deliberately loose (one @, a dot in the domain, no spaces): the real check is a delivered mail. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_LENGTH = 10;
/** scrypt accepts any length; the cap only bounds the work an attacker can ask for. */
const MAX_PASSWORD_LENGTH = 256;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function validEmail(raw: string, field = 'email'): string {
  const email = raw.trim();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new BadUserInputError(`"${raw}" is not a valid email address.`, field);
  }
  return email;
}

export function validPassword(password: string, field = 'password'): string {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new BadUserInputError(
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
      field,
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new BadUserInputError(
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`,
      field,
    );
  }
  return password;
}

/** Trimmed text of `min..max` characters (code points). */
export function validText(raw: string, field: string, label: string, min: number, max: number): string {
  const text = raw.trim();
  const length = [...text].length;
  if (length < min)
    throw new BadUserInputError(
      min === 1 ? `${label} must not be empty.` : `${label} must be at least ${min} characters.`,
      field,
    );
  if (length > max) throw new BadUserInputError(`${label} must be at most ${max} characters.`, field);
  return text;
}

export function validSlug(raw: string, field = 'slug'): string {
  const slug = raw.trim();
  if (slug.length < 2 || slug.length > 60 || !SLUG.test(slug)) {
    throw new BadUserInputError(
      'A slug is 2 to 60 lower-case letters, digits and single hyphens, e.g. "sunset-reptiles".',
      field,
    );
  }
  return slug;
}

export function validId(raw: string, field: string): string {
  if (!isUuid(raw)) throw new BadUserInputError(`"${raw}" is not a valid id.`, field);
  return raw.toLowerCase();
}
