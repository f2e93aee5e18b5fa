import type { AuditLogEntryResolvers } from '../generated/resolvers.js';

export const AuditLogEntry: AuditLogEntryResolvers = {
  actor: (entry, _, { loaders }) => (entry.actorId ? loaders.user.load(entry.actorId) : null),
};
