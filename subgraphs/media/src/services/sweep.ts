import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@terrarium/platform/logger';
import { Upload } from '../entities/upload.entity.js';
import type { Storage } from './storage/index.js';

/**
 * How long after its URL expires an unfinished upload is kept, so that a client that PUT the file
 * just in time can still call completeUpload. @default 86_400_000 ms (1 day)
 */
export const ABANDONED_AFTER_MS = 86_400_000;
/** Uploads removed per sweep; the next sweep takes the rest. @default 500 */
const SWEEP_BATCH = 500;

/**
 * Removes uploads that were never completed, and their staged bytes, once they are ABANDONED_AFTER_MS
 * past expiry. The file goes first: a row without its file is harmless (completeUpload refuses
 * it), a file without its row would never be found again. Returns how many were removed.
 */
export async function sweepAbandonedUploads(
  em: EntityManager,
  storage: Storage,
  logger: Logger,
  now: Date = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const abandoned = await em.find(
    Upload,
    { status: { $ne: 'COMPLETED' }, expiresAt: { $lt: cutoff } },
    { limit: SWEEP_BATCH, fields: ['id', 'stagedKey'] },
  );
  if (abandoned.length === 0) return 0;
  const removed: string[] = [];
  for (const upload of abandoned) {
    try {
      if (upload.stagedKey) await storage.delete(upload.stagedKey);
      removed.push(upload.id);
    } catch (err) {
      logger.warn({ err, uploadId: upload.id }, 'could not delete an abandoned upload; will retry');
    }
  }
  if (removed.length > 0) await em.nativeDelete(Upload, { id: { $in: removed } });
  logger.info({ removed: removed.length }, 'swept abandoned uploads');
  return removed.length;
}
