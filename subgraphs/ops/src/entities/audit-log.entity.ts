import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A recorded staff action. Append-only. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    action: p.text(),
    /** No foreign key: the record must outlive the account it names. */
    actorId: p.uuid().nullable(),
    subject: p.text().nullable(),
    /** The subgraph that recorded it ('ops' or the calling service). */
    source: p.text(),
    /** What changed (JSON), when the recording subgraph said. */
    diff: p.json<Record<string, unknown>>().nullable(),
    /** `<source>:<job>` for entries delivered through a job queue: unique, so redelivery is a no-op. */
    key: p.text().nullable(),
    /** Millisecond precision, so that a cursor built from a JS Date matches the row exactly. */
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type AuditLogEntity = InferEntity<typeof AuditLog>;
