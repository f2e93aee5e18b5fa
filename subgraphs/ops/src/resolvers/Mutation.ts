import type { MutationResolvers } from '../generated/resolvers.js';
import { createApiClient } from '../services/api-clients.js';
import { recordExternalAudit } from '../services/audit-log.js';
import { createOrganization } from '../services/organizations.js';
import type { LoginLimits } from '../services/login-limits.js';
import type { TokenIssuer } from '../services/tokens.js';
import { logIn, setUserRoles, signUp } from '../services/users.js';

export function createMutation(tokens: TokenIssuer, loginLimits: LoginLimits): MutationResolvers {
  return {
    signUp: (_, { input }, ctx) => signUp(ctx, tokens, input),
    logIn: (_, { email, password }, ctx) => logIn(ctx, tokens, loginLimits, email, password),
    createApiClient: (_, { input }, ctx) => createApiClient(ctx, input),
    createOrganization: (_, { input }, ctx) => createOrganization(ctx, input),
    setUserRoles: (_, { userId, roles }, ctx) => setUserRoles(ctx, userId, roles),
    recordAudit: (_, { action, actorId, subject }, ctx) => recordExternalAudit(ctx, action, actorId, subject),
  };
}
