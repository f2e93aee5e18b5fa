import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';

/** Serves the supergraph file at `path` (composed by `npm run schema:compose`, or any Fed 2 supergraph). */
export function fileSupergraph(path: string): SupergraphSdlHook {
  return async () => ({ supergraphSdl: await readFile(path, 'utf8') });
}
