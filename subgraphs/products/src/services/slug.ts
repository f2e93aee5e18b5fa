/** Longest slug derived from a name, before any -2, -3 suffix. @default 80 characters */
const MAX_SLUG_LENGTH = 80;

/**
 * Lower-kebab ASCII of a name: accents dropped, every run of other characters a single dash
 * ("Calcium + D3 Supplement" -> "calcium-d3-supplement"). Empty when the name has no letters or
 * digits.
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
}

/** The first of `base`, `base-2`, `base-3`, ... not in `taken`. */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
