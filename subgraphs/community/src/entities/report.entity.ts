import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const REPORT_SUBJECT_TYPES = ['REVIEW', 'POST', 'COMMENT'] as const;
export type ReportSubjectType = (typeof REPORT_SUBJECT_TYPES)[number];
export const REPORT_STATUSES = ['OPEN', 'DISMISSED', 'REMOVED'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** A user's report of a review, post or comment; staff work through the OPEN ones. */
export const Report = defineEntity({
  name: 'Report',
  tableName: 'report',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    reporterId: p.uuid(),
    subjectType: p.enum([...REPORT_SUBJECT_TYPES]),
    subjectId: p.uuid(),
    reason: p.text(),
    status: p.enum([...REPORT_STATUSES]).defaultRaw(`'OPEN'`),
    resolvedById: p.uuid().nullable(),
    resolvedAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
  },
});

export type ReportEntity = InferEntity<typeof Report>;
