/**
 * Where file bytes live. Keys are `/`-separated paths (`assets/<id>/original.webp`).
 *
 * Every write is all-or-nothing: a reader sees either no object or the whole object, never part
 * of one (the disk store writes a temp file and renames it; S3's PutObject is atomic). Files are
 * at most MEDIA_MAX_BYTES, so whole buffers are fine.
 */
export interface Storage {
  /** Writes the object, replacing any object at `key`. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Moves an object to a new key (a rename on disk, copy then delete on S3). */
  move(from: string, to: string): Promise<void>;
  /** Keys under a prefix (`uploads/`), for cleanup and for tests that check nothing was left. */
  list(prefix: string): Promise<string[]>;
  /** Releases connections (the S3 client's keep-alive sockets); called once, when the subgraph stops. */
  close(): void;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;

/** Keys are built by this subgraph, but a bad one must never escape the storage root. */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`Unsafe storage key "${key}"`);
  }
}
