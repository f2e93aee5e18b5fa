/**
 * deepMerge of @apollo/gateway (utilities/deepMerge.ts): merges a fetch's result into the data
 * gathered so far. Keys that Object.prototype also has (`constructor`, `__proto__`, ...) are
 * first made own properties, as stock's defineOwn does, so merging never reads or writes through
 * the prototype; every other key takes the plain (fast) property path.
 */
export function deepMerge(
  target: Record<string, unknown>,
  source: Record<string, unknown> | null | undefined,
): void {
  if (source === undefined || source === null) return;
  for (const key in source) {
    const value = source[key];
    if (value === undefined) continue;
    if (key in Object.prototype && !Object.prototype.hasOwnProperty.call(target, key)) {
      Object.defineProperty(target, key, {
        configurable: true,
        enumerable: true,
        value: undefined,
        writable: true,
      });
    }
    const existing = target[key];
    if (existing && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i += 1) {
        const into: unknown = existing[i];
        const from: unknown = value[i];
        if (isObject(into) && isObject(from)) deepMerge(into, from);
        else existing[i] = from;
      }
    } else {
      target[key] = value;
    }
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getOwn(value: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}
