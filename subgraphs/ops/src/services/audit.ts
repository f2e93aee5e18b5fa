import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog, type AuditLogEntity } from '../entities/audit-log.entity.js';

export interface AuditRecord {
  action: string;
  actorId: string | null;
  subject: string | null;
  /** The subgraph the action happened in. */
  source: string;
  /** What changed (stored as JSON). */
  diff?: Record<string, unknown>;
}

/**
 * Adds an entry to `em`'s unit of work: call it inside the action's transaction, so that an
 * action is never committed without its record (or the other way round).
 */
export function recordAudit(em: EntityManager, record: AuditRecord): AuditLogEntity {
  return em.create(AuditLog, record);
}
