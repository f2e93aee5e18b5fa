import { createHash } from 'node:crypto';
import type { CacheHint } from './cache-control.js';

/*
 * How entries are named and written: addresses (`Type:id`), fields and root keys per scope, and
 * the value format, which lets a reader check expiry without parsing the answer.
 */

/**
 * Whose entries a request reads and writes. Anonymous callers are indistinguishable to every
 * subgraph, so they share entries; a signed-in user or a partner key reads and writes only its
 * own, so no answer that depends on who asks (an email shown to its owner) reaches anyone else,
 * whatever the subgraphs' hints say.
 */
export interface CacheScope {
  /** `anonymous`, `u<user id>` or `k<API client id>`. */
  key: string;
  anonymous: boolean;
}

/** A cached answer and what remains of its cache hint, for the request's Cache-Control. */
export interface CacheHit {
  data: Record<string, unknown> | null;
  hint: CacheHint;
}

/** Answers are walked this deep at most: deeper nesting is not an entity cache's business. */
const MAX_WALK_DEPTH = 32;

/**
 * Calls `found` for each object in `data` that carries `__typename` and an `id`, with its
 * address (`Type:id`) and how deep it sits (0: `data` itself).
 */
function walkAddressed(
  data: unknown,
  found: (address: string, record: Record<string, unknown>, depth: number) => void,
  depth = 0,
): void {
  if (depth > MAX_WALK_DEPTH || data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const item of data) walkAddressed(item, found, depth + 1);
    return;
  }
  const record = data as Record<string, unknown>;
  const typename = record['__typename'];
  const id = record['id'];
  if (typeof typename === 'string' && (typeof id === 'string' || typeof id === 'number'))
    found(`${typename}:${id}`, record, depth);
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === 'object') walkAddressed(value, found, depth + 1);
  }
}

/** The entity addresses (`Type:id`) of the objects in an answer that carry both. */
export function addressesIn(data: unknown): Set<string> {
  const into = new Set<string>();
  walkAddressed(data, (address) => into.add(address));
  return into;
}

/**
 * The entities an `_entities` answer shows inside it, by address (`Type:id`): nested objects that
 * carry `__typename`, `id` and at least one other field. A bare reference (`__typename` and `id`
 * alone) shows nothing that can change; the answer's own object is its entry's address already.
 */
export function nestedEntitiesIn(answer: unknown): Set<string> {
  const into = new Set<string>();
  walkAddressed(answer, (address, record, depth) => {
    if (depth > 0 && Object.keys(record).length > 2) into.add(address);
  });
  return into;
}

export function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

export function typeOf(address: string): string {
  return address.slice(0, address.indexOf(':'));
}

/**
 * Where a representation's answer lives: its entity's address (`Type:id`; a type without an `id`
 * key is addressed by the whole representation and only expires) and the scope's field there.
 */
export function entityKey(variant: string, representation: string, scope: CacheScope) {
  const parsed = JSON.parse(representation) as Record<string, unknown>;
  const typename = String(parsed['__typename']);
  const id = parsed['id'];
  const address =
    typeof id === 'string' || typeof id === 'number'
      ? `${typename}:${id}`
      : `${typename}:#${digest(representation)}`;
  return { typename, address, field: `${scope.key}:${digest(`${variant}\n${representation}`)}` };
}

export function rootKey(variant: string, scope: CacheScope): string {
  return `${scope.key}:${variant}`;
}

/** `<expires at, ms>|<P or V>|<json>`: the reader checks expiry without parsing the answer. */
export function encode(hint: CacheHint, ttlSeconds: number, json: string): string {
  return `${Date.now() + ttlSeconds * 1000}|${hint.scope === 'PRIVATE' ? 'V' : 'P'}|${json}`;
}

/** Whole seconds an encoded value has left (0 once expired). */
export function remainingSeconds(value: string): number {
  const expiresAt = Number(value.slice(0, value.indexOf('|')));
  return Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
}

export function decode(value: string, now: number): CacheHit | null {
  const first = value.indexOf('|');
  const expiresAt = Number(value.slice(0, first));
  if (!(expiresAt > now)) return null;
  const scope = value[first + 1] === 'V' ? 'PRIVATE' : 'PUBLIC';
  return {
    data: JSON.parse(value.slice(first + 3)) as Record<string, unknown> | null,
    hint: { maxAge: Math.max(1, Math.floor((expiresAt - now) / 1000)), scope },
  };
}
