import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { evaluateFlag, type FlagSubject } from './evaluate.js';
import type { FlagCache } from './flag-cache.js';

/**
 * The subject in an OpenFeature evaluation context: `targetingKey` is the user id (absent when
 * anonymous), `organizationIds` the caller's organizations.
 */
export function subjectOf(context: EvaluationContext): FlagSubject {
  const organizations = context['organizationIds'];
  return {
    userId: typeof context.targetingKey === 'string' && context.targetingKey ? context.targetingKey : null,
    organizationIds: Array.isArray(organizations)
      ? organizations.filter((id): id is string => typeof id === 'string')
      : [],
  };
}

/**
 * Terrarium's OpenFeature provider: resolves boolean flags from ops' definitions (through a
 * FlagCache) with evaluateFlag's rules. Flags are on/off only, so the other types answer the
 * default with TYPE_MISMATCH. A flag ops does not know answers the caller's default
 * (FLAG_NOT_FOUND), and so does every flag while ops' definitions cannot be read at all.
 */
export class OpsFlagProvider implements Provider {
  readonly metadata = { name: 'terrarium-ops' } as const;
  readonly runsOn = 'server' as const;
  /** Its cache belongs to one process's domain. */
  readonly domainScoped = true;
  readonly events = new OpenFeatureEventEmitter();

  constructor(private readonly cache: FlagCache) {
    cache.onInvalidate(() => this.events.emit(ProviderEvents.ConfigurationChanged));
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    let flags;
    try {
      flags = await this.cache.get();
    } catch {
      return {
        value: defaultValue,
        reason: 'ERROR',
        errorCode: ErrorCode.GENERAL,
        errorMessage: 'Feature flags cannot be read from ops right now.',
      };
    }
    const flag = flags.get(flagKey);
    if (!flag)
      return {
        value: defaultValue,
        reason: 'DEFAULT',
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `No feature flag "${flagKey}".`,
      };
    const { enabled, reason } = evaluateFlag(flag, subjectOf(context));
    return { value: enabled, reason, variant: enabled ? 'on' : 'off' };
  }

  resolveStringEvaluation(_flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return Promise.resolve(mismatch(defaultValue));
  }

  resolveNumberEvaluation(_flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return Promise.resolve(mismatch(defaultValue));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    _flagKey: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(mismatch(defaultValue));
  }

  async onClose(): Promise<void> {
    await this.cache.close();
  }
}

function mismatch<T>(defaultValue: T): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: 'ERROR',
    errorCode: ErrorCode.TYPE_MISMATCH,
    errorMessage: 'Terrarium feature flags are booleans.',
  };
}
