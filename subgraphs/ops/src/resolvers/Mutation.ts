import type { MutationResolvers } from '../generated/resolvers.js';
import { createApiClient, revokeApiClient } from '../services/api-clients.js';
import { requestMail } from '../mail/mail-request.js';
import { recordExternalAudit } from '../services/audit-log.js';
import { createOrganization } from '../services/organizations.js';
import type { LoginLimits } from '../services/login-limits.js';
import { requestPasswordReset, resetPassword } from '../services/password-reset.js';
import type { PasswordResetLimits } from '../services/password-reset-limits.js';
import type { PasswordResetSettings } from '../settings.js';
import type { TokenIssuer } from '../services/tokens.js';
import { logIn, setUserRoles, signUp } from '../services/users.js';

export interface MutationDeps {
  tokens: TokenIssuer;
  loginLimits: LoginLimits;
  passwordReset: PasswordResetSettings;
  passwordResetLimits: PasswordResetLimits;
}

export function createMutation({ tokens, loginLimits, passwordReset, passwordResetLimits }: MutationDeps): MutationResolvers {
  return {
    signUp: (_, { input }, ctx) => signUp(ctx, tokens, input),
    logIn: (_, { email, password }, ctx) => logIn(ctx, tokens, loginLimits, email, password),
    requestPasswordReset: (_, { email }, ctx) => requestPasswordReset(ctx, passwordReset, passwordResetLimits, email),
    resetPassword: (_, { token, password }, ctx) => resetPassword(ctx, tokens, loginLimits, token, password),
    createApiClient: (_, { input }, ctx) => createApiClient(ctx, input),
    revokeApiClient: (_, { id }, ctx) => revokeApiClient(ctx, id),
    createOrganization: (_, { input }, ctx) => createOrganization(ctx, input),
    setUserRoles: (_, { userId, roles }, ctx) => setUserRoles(ctx, userId, roles),
    recordAudit: (_, args, ctx) => recordExternalAudit(ctx, args),
    requestMail: (_, args, ctx) => requestMail(ctx, args),
  };
}
