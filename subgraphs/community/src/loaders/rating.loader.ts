import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TTL, type Cache } from '@terrarium/subgraph-kit/cache';
import { query } from '@terrarium/subgraph-kit/sql';
import type { SubjectType } from '../entities/rating-aggregate.entity.js';

export interface Subject {
  type: SubjectType;
  id: string;
}

/** Count and sum of a subject's visible ratings (zeros when it has none). */
export interface Rating {
  reviewCount: number;
  ratingSum: number;
}

export const ratingCacheKey = (subject: Subject): string => `rating:${subject.type}:${subject.id}`;

export interface RatingLoader {
  load(subject: Subject): Promise<Rating>;
  /**
   * Called after this request committed a change to the subject: drops the memoized value and
   * makes later loads in this request read Postgres without writing the cache. A writer that
   * repopulated the cache could race a concurrent writer (its read from before the other's commit
   * landing after the other's delete) and pin a stale value; only readers populate it.
   */
  forget(subject: Subject): void;
  clearAll(): void;
}

/**
 * Rating aggregates through the subgraph cache (TTL.ENTITY, deleted on write), one MGET per batch,
 * and, for misses only, one SQL statement for the whole batch.
 */
export function createRatingLoader(em: EntityManager, cache: Cache): RatingLoader {
  const written = new Set<string>();
  const loader = new DataLoader<Subject, Rating, string>(
    async (subjects) => {
      const keys = subjects.map(ratingCacheKey);
      // Keys this request wrote read Postgres (see forget); the rest come from one MGET.
      const readable = keys.filter((key) => !written.has(key));
      const found = new Map<string, Rating>();
      (await cache.getMany<Rating>(readable)).forEach((value, i) => {
        if (value !== undefined) found.set(readable[i]!, value);
      });
      const cached = keys.map((key) => found.get(key));
      const misses = subjects.filter((_, i) => cached[i] === undefined);
      const fresh = new Map<string, Rating>();
      if (misses.length > 0) {
        const rows = await query<{
          subject_type: SubjectType;
          subject_id: string;
          review_count: number;
          rating_sum: number;
        }>(
          em,
          `select a.subject_type, a.subject_id, a.review_count, a.rating_sum
           from rating_aggregate a
           join unnest(array[?]::text[], array[?]::uuid[]) as k(subject_type, subject_id) using (subject_type, subject_id)`,
          [misses.map((s) => s.type), misses.map((s) => s.id)],
        );
        for (const row of rows) {
          fresh.set(ratingCacheKey({ type: row.subject_type, id: row.subject_id }), {
            reviewCount: row.review_count,
            ratingSum: row.rating_sum,
          });
        }
        await Promise.all(
          misses.map((subject) => {
            const key = ratingCacheKey(subject);
            const value = fresh.get(key) ?? { reviewCount: 0, ratingSum: 0 };
            fresh.set(key, value);
            return written.has(key) ? undefined : cache.set(key, value, TTL.ENTITY);
          }),
        );
      }
      return keys.map((key, i) => cached[i] ?? fresh.get(key)!);
    },
    { cacheKeyFn: ratingCacheKey },
  );
  return {
    load: (subject) => loader.load(subject),
    forget(subject) {
      written.add(ratingCacheKey(subject));
      loader.clear(subject);
    },
    clearAll() {
      loader.clearAll();
    },
  };
}

/** Mean rating rounded to 2 decimals, null without reviews. */
export function averageRating({ reviewCount, ratingSum }: Rating): number | null {
  return reviewCount === 0 ? null : Math.round((ratingSum * 100) / reviewCount) / 100;
}
