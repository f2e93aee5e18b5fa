import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_commerce } from './Migration20261122120000_commerce.js';

export const migrations: MigrationObject[] = [{ name: 'Migration20261122120000_commerce', class: Migration20261122120000_commerce }];
