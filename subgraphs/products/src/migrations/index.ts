import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_catalog } from './Migration20261122120000_catalog.js';
import { Migration20261215120000_search } from './Migration20261215120000_search.js';

/** Applied in this order; never edit one that has shipped, add the next. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_catalog', class: Migration20261122120000_catalog },
  { name: 'Migration20261215120000_search', class: Migration20261215120000_search },
];
