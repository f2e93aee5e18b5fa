import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A feature flag as staff set it; evaluated by @terrarium/platform/feature-flags. */
export const FeatureFlag = defineEntity({
  name: 'FeatureFlag',
  tableName: 'feature_flag',
  properties: {
    key: p.text().primary(),
    enabled: p.boolean(),
    /** 0-100; null = every user the other rules admit. */
    rolloutPercent: p.integer().nullable(),
    /** Empty = everyone; else members of these organizations only. */
    organizationIds: p.array<string>(),
    updatedBy: p.uuid().nullable(),
    updatedAt: p
      .datetime(3)
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type FeatureFlagEntity = InferEntity<typeof FeatureFlag>;
