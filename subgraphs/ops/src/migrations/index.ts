import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_initial } from './Migration20261122120000_initial.js';

/** In order; never edit one that has shipped, add the next. */
export const migrations: MigrationObject[] = [{ name: 'Migration20261122120000_initial', class: Migration20261122120000_initial }];
