/**
 * Typed readers of environment variables for each deployable's config module. A reader records a
 * problem instead of throwing, so that a config lists every problem at start at once.
 *
 * One boolean dialect everywhere: `true`/`1` and `false`/`0` (any case); unset or empty is the
 * default; anything else is a problem rather than a silent false.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

/** A value parsed from its raw text, or a problem worded for the operator. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseBoolean(key: string, raw: string): Parsed<boolean> {
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return { ok: true, value: true };
  if (FALSE.has(value)) return { ok: true, value: false };
  return { ok: false, problem: `${key} must be true, false, 1 or 0, got "${raw}"` };
}

export function parsePort(key: string, raw: string): Parsed<number> {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    return { ok: false, problem: `${key} must be a port number, got "${raw}"` };
  }
  return { ok: true, value };
}

export function parseInteger(key: string, raw: string, min = Number.MIN_SAFE_INTEGER): Parsed<number> {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    return {
      ok: false,
      problem: `${key} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` of at least ${min}` : ''}, got "${raw}"`,
    };
  }
  return { ok: true, value };
}

/** Reads variables from `env`, collecting problems; `done()` throws them all as one ConfigError. */
export interface EnvReader {
  /** The value, or undefined when unset or empty. */
  string(key: string): string | undefined;
  /** The value, or a problem when unset or empty (`hint` says where it comes from). */
  required(key: string, hint?: string): string;
  boolean(key: string, fallback: boolean): boolean;
  port(key: string, fallback: number): number;
  integer(key: string, fallback: number, min?: number): number;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  /** Records a problem found by the caller's own validation. */
  problem(message: string): void;
  /** Throws ConfigError when any problem was recorded. */
  done(): void;
}

export function createEnvReader(env: Env): EnvReader {
  const problems: string[] = [];
  const string = (key: string): string | undefined => env[key] || undefined;
  const parsed = <T>(key: string, fallback: T, parse: (raw: string) => Parsed<T>): T => {
    const raw = string(key);
    if (raw === undefined) return fallback;
    const result = parse(raw);
    if (result.ok) return result.value;
    problems.push(result.problem);
    return fallback;
  };
  return {
    string,
    required(key, hint) {
      const value = string(key);
      if (value === undefined) problems.push(`${key} is required${hint ? ` (${hint})` : ''}`);
      return value ?? '';
    },
    boolean: (key, fallback) => parsed(key, fallback, (raw) => parseBoolean(key, raw)),
    port: (key, fallback) => parsed(key, fallback, (raw) => parsePort(key, raw)),
    integer: (key, fallback, min) => parsed(key, fallback, (raw) => parseInteger(key, raw, min)),
    oneOf(key, allowed, fallback) {
      const raw = string(key);
      if (raw === undefined) return fallback;
      if ((allowed as readonly string[]).includes(raw)) return raw as (typeof allowed)[number];
      problems.push(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
      return fallback;
    },
    problem: (message) => void problems.push(message),
    done() {
      if (problems.length > 0) throw new ConfigError([...problems]);
    },
  };
}
