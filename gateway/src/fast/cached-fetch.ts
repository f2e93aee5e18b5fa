import { parseCacheControl, type CacheHint } from '../entity-cache/cache-control.js';
import { addressesIn, EntityCache, nestedEntitiesIn, type CacheScope } from '../entity-cache/entity-cache.js';
import type { FetchStep } from './plan.js';
import type { SubgraphResponse } from './subgraph-client.js';

/** What a fetch through the entity cache needs of the execution that runs it (execute.ts). */
export interface CachedFetchSite {
  cache: EntityCache;
  scope: CacheScope;
  /** Sends the fetch with this JSON object as its `variables`. */
  send(variablesJson: string): Promise<SubgraphResponse>;
  /** Places the answer's errors as the uncached fetch would. */
  recordErrors(response: SubgraphResponse): void;
  /** Narrows the request's cache policy by what a cached answer has left. */
  restrict(hint: CacheHint): void;
}

/**
 * A fetch whose subgraph answered without a max-age is not looked up for this long: a selection
 * that is never cacheable (a private field, an unhinted type) costs no lookup. @default 10 s
 */
const UNCACHEABLE_RECHECK_MS = 10_000;

interface FetchMemo {
  /** The fetch's selection as the entity cache names it. */
  identity: string;
  /** Until then the fetch goes straight to its subgraph. */
  uncacheableUntil: number;
}

/** Per compiled fetch: computed once, dropped with the plan. */
const memos = new WeakMap<FetchStep, FetchMemo>();
function memoOf(fetch: FetchStep): FetchMemo {
  let memo = memos.get(fetch);
  if (memo === undefined) {
    memo = { identity: `${fetch.bodyStart}\n${fetch.bodyEnd}`, uncacheableUntil: 0 };
    memos.set(fetch, memo);
  }
  return memo;
}

/** Whether the cache is worth asking for this fetch now (see UNCACHEABLE_RECHECK_MS). */
export function worthLookingUp(fetch: FetchStep): boolean {
  const until = memoOf(fetch).uncacheableUntil;
  return until === 0 || until < Date.now();
}

function noteHint(fetch: FetchStep, hint: CacheHint): void {
  memoOf(fetch).uncacheableUntil = hint.maxAge > 0 ? 0 : Date.now() + UNCACHEABLE_RECHECK_MS;
}

/**
 * A root-field fetch's data: the cached answer, or the subgraph's (kept when its Cache-Control
 * allows and it has no errors, dropped with any entity it shows).
 */
export async function rootThroughCache(
  site: CachedFetchSite,
  fetch: FetchStep,
  variablesJson: string,
): Promise<Record<string, unknown> | null | undefined> {
  const variant = EntityCache.variant(fetch.serviceName, memoOf(fetch).identity, variablesJson);
  const hit = await site.cache.lookupRoot(variant, site.scope);
  if (hit) {
    site.restrict(hit.hint);
    return hit.data;
  }
  const startedAt = Date.now();
  const response = await site.send(`{${variablesJson}}`);
  site.recordErrors(response);
  const data = response.data;
  if (data && !response.errors?.length) {
    const hint = parseCacheControl(response.cacheControl);
    noteHint(fetch, hint);
    if (hint.maxAge > 0)
      site.cache.storeRoot(
        variant,
        JSON.stringify(data),
        [...addressesIn(data)],
        hint,
        site.scope,
        startedAt,
      );
  }
  return data;
}

/**
 * The answers of an `_entities` fetch's `parts` (one per representation): from the cache where
 * it has them; the others are fetched (only they are sent), and kept when the subgraph allows it
 * and answered without errors. Null when nothing was cached and the subgraph sent no data.
 */
export async function entitiesThroughCache(
  site: CachedFetchSite,
  fetch: FetchStep,
  variablesJson: string,
  parts: readonly string[],
): Promise<unknown[] | null> {
  const variant = EntityCache.variant(fetch.serviceName, memoOf(fetch).identity, variablesJson);
  const hits = await site.cache.lookupEntities(variant, parts, site.scope);
  const received: unknown[] = new Array(parts.length).fill(null);
  const missing: number[] = [];
  for (let index = 0; index < parts.length; index += 1) {
    const hit = hits[index];
    if (hit) {
      received[index] = hit.data;
      site.restrict(hit.hint);
    } else missing.push(index);
  }
  if (missing.length === 0) return received;

  const asked = missing.length === parts.length ? parts : missing.map((index) => parts[index]!);
  const startedAt = Date.now();
  const response = await site.send(representationsBody(variablesJson, asked));
  // Error paths name the place in what was sent; put them back at the entity's place in `parts`.
  if (response.errors && asked !== parts) {
    for (const error of response.errors) {
      const at = error.path?.[1];
      if (typeof at === 'number' && missing[at] !== undefined)
        error.path = [error.path![0]!, missing[at], ...error.path!.slice(2)];
    }
  }
  site.recordErrors(response);
  const answers = receivedEntities(response, asked.length);
  if (!answers) return missing.length === parts.length ? null : received;
  for (let j = 0; j < missing.length; j += 1) received[missing[j]!] = answers[j];
  const hint = parseCacheControl(response.cacheControl);
  noteHint(fetch, hint);
  if (hint.maxAge > 0 && !response.errors?.length)
    site.cache.storeEntities(
      variant,
      asked,
      answers.map((answer) => (answer == null ? null : JSON.stringify(answer))),
      hint,
      site.scope,
      startedAt,
      answers.map((answer) => (answer == null ? undefined : nestedEntitiesIn(answer))),
    );
  return received;
}

/** The variables of an `_entities` fetch: the forwarded ones and the representations. */
export function representationsBody(variablesJson: string, parts: readonly string[]): string {
  return `{${variablesJson}${variablesJson ? ',' : ''}"representations":[${parts.join(',')}]}`;
}

/** A subgraph's `_entities`, checked as stock checks it; null when the answer has no data. */
export function receivedEntities(response: SubgraphResponse, expected: number): unknown[] | null {
  const data = response.data;
  if (!data) return null;
  const received = data['_entities'];
  if (!(received && Array.isArray(received)))
    throw new Error('Expected "data._entities" in response to be an array');
  if (received.length !== expected)
    throw new Error(`Expected "data._entities" to contain ${expected} elements`);
  return received;
}
