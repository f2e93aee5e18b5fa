import type { MutationResolvers } from '../generated/resolvers.js';
import type { AccountDeps } from '../services/account-deps.js';
import { createApiClient, revokeApiClient } from '../services/api-clients.js';
import { requestMail } from '../mail/mail-request.js';
import { recordExternalAudit } from '../services/audit-log.js';
import { purgeEntityCache } from '../services/entity-cache-purge.js';
import { setFeatureFlag } from '../services/feature-flags.js';
import { createOrganization } from '../services/organizations.js';
import { requestPasswordReset, resetPassword } from '../services/password-reset.js';
import type { PasswordResetLimits } from '../services/password-reset-limits.js';
import { logOut } from '../services/sessions.js';
import type { PasswordResetSettings } from '../settings.js';
import { confirmTwoFactor, startTwoFactor } from '../two-factor/two-factor.service.js';
import { logIn, setUserRoles, signUp } from '../services/users.js';

export interface MutationDeps {
  accounts: AccountDeps;
  passwordReset: PasswordResetSettings;
  passwordResetLimits: PasswordResetLimits;
}

export function createMutation({
  accounts,
  passwordReset,
  passwordResetLimits,
}: MutationDeps): MutationResolvers {
  return {
    signUp: (_, { input }, ctx) => signUp(ctx, accounts, input),
    logIn: (_, { email, password, code }, ctx) => logIn(ctx, accounts, email, password, code),
    logOut: (_, __, ctx) => logOut(ctx),
    startTwoFactor: (_, __, ctx) => startTwoFactor(ctx, accounts),
    confirmTwoFactor: (_, { code }, ctx) => confirmTwoFactor(ctx, accounts, code),
    requestPasswordReset: (_, { email }, ctx) =>
      requestPasswordReset(ctx, passwordReset, passwordResetLimits, email),
    resetPassword: (_, { token, password }, ctx) => resetPassword(ctx, accounts, token, password),
    createApiClient: (_, { input }, ctx) => createApiClient(ctx, input),
    revokeApiClient: (_, { id }, ctx) => revokeApiClient(ctx, id),
    createOrganization: (_, { input }, ctx) => createOrganization(ctx, input),
    setUserRoles: async (_, { userId, roles }, ctx) => {
      const user = await setUserRoles(ctx, userId, roles);
      ctx.entityChanges.changed('User', user.id);
      return user;
    },
    setFeatureFlag: (_, { input }, ctx) => setFeatureFlag(ctx, input),
    purgeEntityCache: (_, { typename, id }, ctx) => purgeEntityCache(ctx, typename, id),
    recordAudit: (_, args, ctx) => recordExternalAudit(ctx, args),
    requestMail: (_, args, ctx) => requestMail(ctx, args),
  };
}
