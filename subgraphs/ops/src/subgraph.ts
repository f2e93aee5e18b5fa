import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { createLogger } from '@terrarium/platform/logger';
import { createRedisClient } from '@terrarium/platform/redis';
import {
  loadJwtSettings,
  loadLoginLimitSettings,
  loadPasswordResetSettings,
  loadTwoFactorSettings,
  type JwtSettings,
  type LoginLimitSettings,
  type PasswordResetSettings,
  type TwoFactorSettings,
} from './settings.js';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { createJwksRoute } from './routes/jwks.route.js';
import { seed } from './seed/index.js';
import { createLoginLimits } from './services/login-limits.js';
import { createPasswordResetLimits } from './services/password-reset-limits.js';
import { workMail } from './mail/mail.job.js';
import { workApiClientRevoked } from './services/api-client-revoked.job.js';
import { readFlagDefinitions } from './services/feature-flags.js';
import { workFeatureFlagsChanged } from './services/feature-flags-changed.job.js';
import { workTokensRevoked } from './services/tokens-revoked.job.js';
import { createMailTransport, loadMailSettings, type MailSettings } from './mail/mail-transport.js';
import { createSigningKeys } from './services/signing-keys.js';
import { createTokenIssuer } from './services/tokens.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * ops: users and sign-in (it issues the JWTs and serves their JWKS; two-factor sign-in and
 * token revocation), organizations, partner API clients, feature flags and the audit log. `jwt`
 * defaults to JWT_* from the environment, `loginLimits` to LOGIN_*, `mail` to SMTP_URL/MAIL_*,
 * `passwordReset` to PASSWORD_RESET_*, `twoFactor` to TOTP_ENCRYPTION_KEY/REQUIRE_2FA_ROLES.
 */
export async function createOpsSubgraph(
  config: SubgraphConfig,
  jwt: JwtSettings = loadJwtSettings(),
  loginLimitSettings: LoginLimitSettings = loadLoginLimitSettings(),
  mail: MailSettings = loadMailSettings(),
  passwordReset: PasswordResetSettings = loadPasswordResetSettings(),
  twoFactor: TwoFactorSettings = loadTwoFactorSettings(config.internalSecret),
): Promise<Subgraph<Loaders>> {
  const keys = createSigningKeys(jwt, config.internalSecret);
  const loginLimits = createLoginLimits(
    loginLimitSettings,
    config,
    createLogger(`${config.name}:login-limits`, config.logLevel),
  );
  const passwordResetLimits = createPasswordResetLimits(
    passwordReset,
    config,
    createLogger(`${config.name}:password-reset`, config.logLevel),
  );
  // Commands for the revocation sets gateways load at start (services/tokens-revoked.job.ts).
  const revocations = config.redisUrl
    ? createRedisClient(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 1_000 })
    : null;
  let closeMail = () => {};
  const subgraph = await createSubgraph<Loaders>({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers({
      accounts: { tokens: createTokenIssuer(keys, jwt), limits: loginLimits, twoFactor },
      passwordReset,
      passwordResetLimits,
    }),
    entities,
    migrations,
    createLoaders,
    seed,
    routes: ({ orm }) => ({ [JWKS_PATH]: createJwksRoute(keys, orm) }),
    // ops sends every mail: the mail.send job, over SMTP_URL or the file transport.
    jobs: async ({ jobs, orm, events, logger }) => {
      revocations?.on('error', (err: Error) => logger.warn({ err }, 'token revocation Redis error'));
      const transport = createMailTransport(mail, logger);
      closeMail = () => transport.close();
      if (transport.kind === 'file' && jobs.mode !== 'api')
        logger.info({ dir: mail.mailDir }, 'mail: file transport (SMTP_URL unset), .eml files');
      await workMail(jobs, orm, transport, logger);
      await workApiClientRevoked(jobs, events);
      await workTokensRevoked(jobs, events, revocations);
      await workFeatureFlagsChanged(jobs, events);
    },
    // ops owns the flags: it evaluates them from its own table rather than asking itself.
    loadFeatureFlags:
      ({ orm }) =>
      () =>
        readFlagDefinitions(orm.em.fork() as EntityManager),
  });
  const stopSubgraph = subgraph.stop.bind(subgraph);
  const stopped: Subgraph<Loaders> = Object.assign(subgraph, {
    stop: async () => {
      await stopSubgraph();
      closeMail();
      await revocations?.quit().catch(() => revocations.disconnect());
      await loginLimits.close();
      await passwordResetLimits.close();
    },
  });
  try {
    // Only now: the signing_key table exists once createSubgraph has run the migrations.
    await keys.load(subgraph.orm, subgraph.logger);
  } catch (err) {
    await stopped.stop();
    throw err;
  }
  return stopped;
}
