import type { MediaSettings } from '../../settings.js';
import { createDiskStorage } from './disk.storage.js';
import { createS3Storage } from './s3.storage.js';
import type { Storage } from './storage.js';

export type { Storage } from './storage.js';

/** S3-compatible storage when MEDIA_S3_BUCKET is set, the local disk otherwise. */
export function createStorage(settings: Pick<MediaSettings, 's3' | 'storageDir'>): Storage {
  return settings.s3 ? createS3Storage(settings.s3) : createDiskStorage(settings.storageDir);
}
