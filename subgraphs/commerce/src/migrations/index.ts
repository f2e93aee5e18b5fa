import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_commerce } from './Migration20261122120000_commerce.js';
import { Migration20261201120000_payments } from './Migration20261201120000_payments.js';
import { Migration20261204120000_shipments } from './Migration20261204120000_shipments.js';

/** Applied in this order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_commerce', class: Migration20261122120000_commerce },
  { name: 'Migration20261201120000_payments', class: Migration20261201120000_payments },
  { name: 'Migration20261204120000_shipments', class: Migration20261204120000_shipments },
];
