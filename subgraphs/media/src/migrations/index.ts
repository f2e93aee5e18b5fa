import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_media } from './Migration20261122120000_media.js';

/** Every migration, oldest first. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_media', class: Migration20261122120000_media },
];
