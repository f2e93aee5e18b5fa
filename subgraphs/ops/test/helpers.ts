import type { EntityManager } from '@mikro-orm/postgresql';
import { ANONYMOUS, type Caller, type Role } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import {
  loadJwtSettings,
  loadLoginLimitSettings,
  loadPasswordResetSettings,
  loadTwoFactorSettings,
} from '../src/settings.js';
import { loadMailSettings } from '../src/mail/mail-transport.js';
import type { Loaders } from '../src/loaders/index.js';
import { createOpsSubgraph } from '../src/subgraph.js';

export type Ops = Subgraph<Loaders>;

/** An ops subgraph in its own Postgres schema of the run's database (global-setup.ts). */
export async function startOps(schema: string, env: Record<string, string> = {}): Promise<Ops> {
  const merged = { ...process.env, OPS_DATABASE_SCHEMA: schema, OPS_PORT: '0', SEED_DEMO: 'false', ...env };
  const config = loadSubgraphConfig('ops', merged);
  return createOpsSubgraph(
    config,
    loadJwtSettings(merged),
    loadLoginLimitSettings(merged),
    loadMailSettings(merged),
    loadPasswordResetSettings(merged),
    loadTwoFactorSettings(config.internalSecret, merged),
  );
}

export function asUser(userId: string, roles: Role[] = ['KEEPER'], organizationIds: string[] = []): Caller {
  return { ...ANONYMOUS, userId, roles, organizationIds };
}

export function asService(service: string): Caller {
  return { ...ANONYMOUS, service };
}

export function em(ops: Ops): EntityManager {
  return ops.orm.em.fork() as EntityManager;
}

/** Users straight into the table (no scrypt): for tests that need many of them quickly. */
export async function insertUsers(
  ops: Ops,
  count: number,
  prefix: string,
  roles: Role[] = ['KEEPER'],
): Promise<string[]> {
  const rows = await em(ops).execute<{ id: string }[]>(
    `insert into user_account (email, display_name, password_hash, roles)
     select ? || g || '@example.test', 'User ' || g, 'scrypt$unusable', ?::text[] from generate_series(1, ?) g returning id`,
    [prefix, `{${roles.join(',')}}`, count],
  );
  return rows.map((row) => row.id);
}

export const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      user {
        id
        email
        displayName
        roles
      }
    }
  }
`;

export const LOG_IN = /* GraphQL */ `
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      user {
        id
        email
        displayName
        roles
      }
    }
  }
`;

export interface AuthData {
  token: string;
  user: { id: string; email: string | null; displayName: string; roles: Role[] };
}
