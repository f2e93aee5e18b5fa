import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { EventEmitter } from 'node:events';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from 'pino';

/** Editors and `schema:compose` write in bursts; one reload per burst. @default 100 ms */
const DEBOUNCE_MS = 100;
/**
 * A Kubernetes ConfigMap volume updates by renaming its `..data` symlink to a new timestamped
 * folder (the kubelet's atomic writer); the file itself stays a symlink through `..data`, so the
 * directory's events name `..data`, never the file.
 */
const CONFIGMAP_DATA_LINK = '..data';

export interface SupergraphFileOptions {
  logger: Logger;
  /** Checks a candidate SDL beyond what Apollo Gateway checks (the @access policy); throws to refuse it. */
  validate: (supergraphSdl: string) => void;
  /** Receives `supergraph-updated` and `supergraph-refused` (with the error) after each reload attempt. */
  events: EventEmitter;
}

/**
 * Serves the supergraph file at `path` (composed by `npm run schema:compose`, or any Fed 2
 * supergraph) and hot-reloads it: the directory is watched (a rename-over-write replaces the
 * file's inode, which a watch on the file itself would miss), changes are debounced, and the new
 * SDL goes through Apollo Gateway's `update`, which swaps schema and query planner between
 * requests, so none is dropped. An SDL that fails validation or Apollo's own checks is refused
 * and logged; the previous supergraph keeps serving.
 */
export function supergraphFile(
  path: string,
  { logger, validate, events }: SupergraphFileOptions,
): SupergraphSdlHook {
  return async ({ update }) => {
    let current = await readFile(path, 'utf8');
    validate(current);
    let timer: NodeJS.Timeout | undefined;

    const reload = async () => {
      let candidate: string;
      try {
        candidate = await readFile(path, 'utf8');
      } catch (err) {
        logger.warn({ err, path }, 'supergraph file unreadable; the current supergraph keeps serving');
        return;
      }
      if (candidate === current) return;
      try {
        validate(candidate);
        update(candidate);
        current = candidate;
        logger.info({ path }, 'supergraph reloaded');
        events.emit('supergraph-updated');
      } catch (err) {
        logger.error({ err, path }, 'new supergraph refused; the previous one keeps serving');
        events.emit('supergraph-refused', err);
      }
    };

    const file = basename(path);
    const watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== null && changed !== file && changed !== CONFIGMAP_DATA_LINK) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), DEBOUNCE_MS);
    });
    watcher.on('error', (err) => logger.error({ err, path }, 'supergraph watch failed; hot reload is off'));

    return {
      supergraphSdl: current,
      cleanup: async () => {
        clearTimeout(timer);
        watcher.close();
      },
    };
  };
}
