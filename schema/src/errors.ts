/**
 * The check could not run at all (exit code 2): a missing or unreadable root, no subgraphs, a file
 * that cannot be read or is not in its expected format. Distinct from a failed check (exit 1), so
 * that CI can tell "your change is unsafe" from "the checker is misconfigured".
 */
export class CannotRunError extends Error {
  override readonly name = 'CannotRunError';
}

/** Reads a file or throws CannotRunError naming it (EACCES, EISDIR, ...). */
export function describeIoError(file: string, error: unknown): CannotRunError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CannotRunError(`cannot read ${file}: ${reason}`);
}
