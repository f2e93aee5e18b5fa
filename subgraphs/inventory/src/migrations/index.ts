import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_animals } from './Migration20261122120000_animals.js';
import { Migration20261122120100_stock } from './Migration20261122120100_stock.js';
import { Migration20261203160000_keepers } from './Migration20261203160000_keepers.js';
import { Migration20261203170000_returns } from './Migration20261203170000_returns.js';
import { Migration20261215120000_search } from './Migration20261215120000_search.js';
import { Migration20261218120000_search_plans } from './Migration20261218120000_search_plans.js';

/** Applied in this order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_animals', class: Migration20261122120000_animals },
  { name: 'Migration20261122120100_stock', class: Migration20261122120100_stock },
  { name: 'Migration20261203160000_keepers', class: Migration20261203160000_keepers },
  { name: 'Migration20261203170000_returns', class: Migration20261203170000_returns },
  { name: 'Migration20261215120000_search', class: Migration20261215120000_search },
  { name: 'Migration20261218120000_search_plans', class: Migration20261218120000_search_plans },
];
