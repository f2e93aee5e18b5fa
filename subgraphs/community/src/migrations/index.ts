import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_community } from './Migration20261122120000_community.js';

/** Applied in order; never edit one that has shipped, add the next. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_community', class: Migration20261122120000_community },
];
