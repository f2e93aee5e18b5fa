/** What a subgraph's `Cache-Control` answer allows: how long, and for whom. */
export interface CacheHint {
  /** Seconds; 0 when the header is missing, says no-store or no-cache, or has no max-age. */
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE' | undefined;
}

/** Reads a subgraph's Cache-Control header (Apollo Server writes `max-age=N, public|private`). */
export function parseCacheControl(header: string | undefined): CacheHint {
  const hint: CacheHint = { maxAge: 0, scope: undefined };
  if (!header) return hint;
  let noStore = false;
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [key, value] = part.split(/\s*=\s*/, 2);
    const name = key?.toLowerCase();
    if (name === 'max-age' && value !== undefined) {
      const unquoted = value.replace(/^"|"$/g, '');
      if (/^[0-9]+$/.test(unquoted)) hint.maxAge = Number(unquoted);
    } else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope ??= 'PUBLIC';
    else if (name === 'no-store' || name === 'no-cache') noStore = true;
  }
  if (noStore) hint.maxAge = 0;
  return hint;
}
