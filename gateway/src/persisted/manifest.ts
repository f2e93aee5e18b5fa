import { createHash } from 'node:crypto';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** One trusted document: an entry of Apollo's persisted query manifest and the clients listing it. */
export interface PersistedOperation {
  /** SHA-256 (hex) of `body`. */
  id: string;
  name: string;
  type: OperationType;
  body: string;
  /** Manifests (schema/manifests/<client>.json) that list it; the same body may be in several. */
  clients: ReadonlySet<string>;
}

/** A manifest entry as stored (file or Redis), before it is indexed. */
export interface ManifestEntry {
  id: string;
  name: string;
  type: OperationType;
  body: string;
}

export class ManifestError extends Error {}

const TYPES = new Set<string>(['query', 'mutation', 'subscription']);
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A persisted id as clients send it: 64 lower-case hex digits, optionally `sha256:`-prefixed (trusted documents). */
export function normalizeId(raw: string): string | null {
  const id = raw.startsWith('sha256:') ? raw.slice('sha256:'.length) : raw;
  return SHA256_HEX.test(id) ? id : null;
}

/**
 * Checks one entry: a known type, names and an id that is the SHA-256 of its body. An entry whose
 * id does not hash its body is refused, so a tampered manifest (file or Redis) cannot map a
 * trusted id to another document.
 */
export function checkEntry(entry: unknown, where: string): ManifestEntry {
  const op = entry as Partial<Record<keyof ManifestEntry, unknown>> | null;
  if (
    !op ||
    typeof op.id !== 'string' ||
    typeof op.name !== 'string' ||
    typeof op.body !== 'string' ||
    typeof op.type !== 'string'
  ) {
    throw new ManifestError(`${where}: an operation needs string id, name, type and body`);
  }
  if (!TYPES.has(op.type)) throw new ManifestError(`${where}: ${op.name} has unknown type "${op.type}"`);
  if (op.id !== sha256Hex(op.body))
    throw new ManifestError(`${where}: ${op.name}'s id is not the SHA-256 of its body`);
  return { id: op.id, name: op.name, type: op.type as OperationType, body: op.body };
}

/** Parses Apollo's persisted query manifest (`apollo-persisted-query-manifest`, version 1). */
export function parseManifest(text: string, where: string): ManifestEntry[] {
  let data: { format?: unknown; version?: unknown; operations?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch (err) {
    throw new ManifestError(`${where} is not JSON: ${(err as Error).message}`);
  }
  if (
    data?.format !== 'apollo-persisted-query-manifest' ||
    data.version !== 1 ||
    !Array.isArray(data.operations)
  ) {
    throw new ManifestError(`${where} is not an apollo-persisted-query-manifest version 1`);
  }
  return data.operations.map((entry, index) => checkEntry(entry, `${where} operations[${index}]`));
}

/** Indexes manifests by id; an id listed by several clients records all of them. */
export function indexManifests(
  manifests: ReadonlyMap<string, readonly ManifestEntry[]>,
): Map<string, PersistedOperation> {
  const index = new Map<string, PersistedOperation>();
  for (const [client, entries] of manifests) {
    for (const entry of entries) {
      const known = index.get(entry.id);
      if (known) (known.clients as Set<string>).add(client);
      else index.set(entry.id, { ...entry, clients: new Set([client]) });
    }
  }
  return index;
}
