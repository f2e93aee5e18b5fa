import { randomUUID } from 'node:crypto';
import {
  NOOP_PROVIDER,
  OpenFeature,
  type Client,
  type Logger as OpenFeatureLogger,
} from '@openfeature/server-sdk';
import type { Logger } from 'pino';
import type { Caller } from '../caller.js';
import { createFlagCache, type FlagCacheOptions } from './flag-cache.js';
import { OpsFlagProvider } from './provider.js';

export { evaluateFlag, rolloutBucket, type FlagDefinition, type FlagSubject } from './evaluate.js';
export { FEATURE_FLAGS_CHANNEL, FEATURE_FLAGS_TOPIC } from './flag-cache.js';

/**
 * ops' internal query for every flag (services only; @inaccessible in the public graph). The
 * gateway and the kit's subgraphs load their FlagCache with it.
 */
export const FEATURE_FLAG_DEFINITIONS_QUERY =
  'query FeatureFlagDefinitions { featureFlagDefinitions { key enabled rolloutPercent organizationIds } }';

/** Flags as one process evaluates them, always for a caller. */
export interface FeatureFlags {
  /** The flag for this caller; `defaultValue` when ops does not know it or cannot be read. */
  isEnabled(key: string, caller: Caller, defaultValue: boolean): Promise<boolean>;
  /** Every flag ops knows, evaluated for this caller, by key. */
  evaluateAll(caller: Caller): Promise<{ key: string; enabled: boolean }[]>;
  /** Drops the cached definitions (after a write in this process; other processes hear Redis). */
  invalidate(): void;
  close(): Promise<void>;
}

/** Whoever asks, as OpenFeature's evaluation context. */
function contextOf(caller: Caller) {
  return {
    ...(caller.userId ? { targetingKey: caller.userId } : {}),
    organizationIds: [...caller.organizationIds],
  };
}

/** OpenFeature logs through pino rather than its default console logger. */
function openFeatureLogger(logger: Logger): OpenFeatureLogger {
  const text = (args: unknown[]) => args.map(String).join(' ');
  return {
    error: (...args) => logger.error(text(args)),
    warn: (...args) => logger.warn(text(args)),
    info: (...args) => logger.info(text(args)),
    debug: (...args) => logger.debug(text(args)),
  };
}

/**
 * Feature flags through OpenFeature (`@openfeature/server-sdk`) with Terrarium's own provider
 * (OpsFlagProvider over a FlagCache of ops' definitions). Each instance registers its provider
 * under a domain of its own, so several gateways or subgraphs in one process (tests) never share
 * a cache.
 */
export function createFeatureFlags(options: FlagCacheOptions): FeatureFlags {
  const cache = createFlagCache(options);
  const domain = `terrarium-${randomUUID()}`;
  OpenFeature.setProvider(domain, new OpsFlagProvider(cache));
  // A closed instance evaluates every flag to its default (the no-op provider).
  const client: Client = OpenFeature.getClient(domain);
  client.setLogger(openFeatureLogger(options.logger));
  return {
    isEnabled: (key, caller, defaultValue) => client.getBooleanValue(key, defaultValue, contextOf(caller)),
    async evaluateAll(caller) {
      const keys = await cache.get().then(
        (flags) => [...flags.keys()].sort(),
        () => [],
      );
      return Promise.all(
        keys.map(async (key) => ({
          key,
          enabled: await client.getBooleanValue(key, false, contextOf(caller)),
        })),
      );
    },
    invalidate: () => cache.invalidate(),
    async close() {
      // The SDK calls the replaced provider's onClose without awaiting it; the cache is closed here.
      OpenFeature.setProvider(domain, NOOP_PROVIDER);
      await cache.close();
    },
  };
}
