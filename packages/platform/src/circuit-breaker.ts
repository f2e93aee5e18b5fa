/**
 * A circuit breaker with a time budget per call, for dependencies that are a shortcut rather than
 * a necessity (the cache): a call that takes longer than its budget counts as a failure, and after
 * `failureThreshold` failures in a row the breaker opens and every call is skipped at once for
 * `coolDownMs`. Then one call at a time probes: success closes it, failure opens it again. So a
 * hung (SIGSTOPped) or dead Redis costs one budget per call for a handful of calls, then nothing.
 */

export interface CircuitBreakerOptions {
  /** Consecutive failures or timeouts that open the breaker. @default 5 */
  failureThreshold?: number;
  /** How long an open breaker skips calls before it lets one probe through. @default 5_000 ms */
  coolDownMs?: number;
  /** Called when the breaker opens or closes (for a log line). */
  onStateChange?: (state: 'open' | 'closed', reason: string) => void;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Thrown without calling the dependency while the breaker is open (or a probe is in flight). */
export class CircuitOpenError extends Error {
  constructor() {
    super('circuit open: the dependency is skipped until its cool-down ends');
    this.name = 'CircuitOpenError';
  }
}

export class BudgetExceededError extends Error {
  constructor(budgetMs: number) {
    super(`call exceeded its ${budgetMs} ms budget`);
    this.name = 'BudgetExceededError';
  }
}

function withinBudget<T>(promise: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceededError(budgetMs)), budgetMs);
  });
  // The late result of a call that lost the race is dropped, its rejection too (no unhandled one).
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface CircuitBreaker {
  /** Runs `call` within `budgetMs`, or throws CircuitOpenError without running it. */
  run<T>(call: () => Promise<T>, budgetMs: number): Promise<T>;
  readonly state: BreakerState;
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? 5;
  const coolDownMs = options.coolDownMs ?? 5_000;
  let failures = 0;
  let openUntil = 0;
  let probing = false;

  const state = (): BreakerState => {
    if (failures < failureThreshold) return 'closed';
    return Date.now() < openUntil ? 'open' : 'half-open';
  };

  return {
    get state() {
      return state();
    },
    async run<T>(call: () => Promise<T>, budgetMs: number): Promise<T> {
      const current = state();
      if (current === 'open' || (current === 'half-open' && probing)) throw new CircuitOpenError();
      const isProbe = current === 'half-open';
      if (isProbe) probing = true;
      try {
        const result = await withinBudget(call(), budgetMs);
        if (failures >= failureThreshold) options.onStateChange?.('closed', 'probe succeeded');
        failures = 0;
        return result;
      } catch (err) {
        failures += 1;
        if (failures >= failureThreshold) {
          openUntil = Date.now() + coolDownMs;
          if (failures === failureThreshold || isProbe) {
            options.onStateChange?.('open', err instanceof Error ? err.message : String(err));
          }
        }
        throw err;
      } finally {
        if (isProbe) probing = false;
      }
    },
  };
}
