import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122120000_initial } from './Migration20261122120000_initial.js';
import { Migration20261203140000_password_reset } from './Migration20261203140000_password_reset.js';
import { Migration20261203141000_api_client_last_used } from './Migration20261203141000_api_client_last_used.js';
import { Migration20261203142000_audit_key_diff } from './Migration20261203142000_audit_key_diff.js';
import { Migration20261210120000_two_factor_sessions } from './Migration20261210120000_two_factor_sessions.js';
import { Migration20261210121000_feature_flags } from './Migration20261210121000_feature_flags.js';

/** In order; never edit one that has shipped, add the next. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122120000_initial', class: Migration20261122120000_initial },
  { name: 'Migration20261203140000_password_reset', class: Migration20261203140000_password_reset },
  {
    name: 'Migration20261203141000_api_client_last_used',
    class: Migration20261203141000_api_client_last_used,
  },
  { name: 'Migration20261203142000_audit_key_diff', class: Migration20261203142000_audit_key_diff },
  { name: 'Migration20261210120000_two_factor_sessions', class: Migration20261210120000_two_factor_sessions },
  { name: 'Migration20261210121000_feature_flags', class: Migration20261210121000_feature_flags },
];
