import {
  parseTokenRevocation,
  REVOKED_TOKENS_KEY,
  TOKEN_REVOCATION_CHANNEL,
  TOKENS_NOT_BEFORE_KEY,
  type TokenRevocation,
} from '@terrarium/platform/token-revocation';
import type { Logger } from 'pino';
import type { Redis } from '../redis.js';
import { OpsUnavailableError, type OpsClient } from '../upstream/ops-client.js';

/** A verified user token, as far as revocation is concerned. */
export interface TokenClaims {
  userId: string;
  /** `jti`; tokens issued before ops added it have none. */
  tokenId?: string | undefined;
  /** `iat`, seconds since the epoch. */
  issuedAt?: number | undefined;
}

export interface TokenRevocations {
  /** Whether ops revoked this token (its jti) or every token of its user issued before now. Memory only. */
  isRevoked(claims: TokenClaims): boolean;
  /** Called after revocations arrive (to end live subscriptions of revoked tokens). */
  onRevoked(listener: () => void): void;
  /** Resolves once the revocations in force were loaded (or could not be; they keep being retried). */
  loaded(): Promise<void>;
  close(): Promise<void>;
}

/** Each poll asks from this long before the last one's clock: a revocation becomes visible when its transaction commits. @default 10_000 ms */
const POLL_OVERLAP_MS = 10_000;
/** A snapshot that fails is tried again after this. @default 1_000 ms */
const RETRY_MS = 1_000;
/** A not-before time is kept this long: longer than any token lives (ops issues one-hour tokens). @default 2 h */
const NOT_BEFORE_KEPT_SECONDS = 2 * 3_600;
/** Expired entries are dropped this often. @default 60_000 ms */
const PRUNE_MS = 60_000;

const REVOCATIONS_QUERY =
  'query TokenRevocations($since: DateTime) { tokenRevocations(since: $since) { asOf tokens { jti expiresAt } users { userId notBefore } } }';

interface Options {
  redis: Redis | null;
  /** Polled when there is no Redis; null (no OPS_URL) = no revocations reach this gateway. */
  ops: OpsClient | null;
  /** How often ops is polled without Redis; 0 = never (TOKEN_REVOCATION_POLL_MS). */
  pollMs: number;
  logger: Logger;
}

/**
 * The tokens ops revoked before their expiry, held in memory so that checking one costs two Map
 * lookups and no call to anyone. With Redis (every gateway): the sorted sets ops writes are
 * loaded at start and after each reconnection, and ops' `ops:token-revoked` messages are applied
 * as they come, so a log-out reaches every gateway within a Redis round trip of ops' job. Without
 * Redis (one gateway): ops' tokenRevocations is polled every `pollMs`.
 */
export function createTokenRevocations({ redis, ops, pollMs, logger }: Options): TokenRevocations {
  const revoked = new Map<string, number>(); // jti -> exp
  const notBefore = new Map<string, number>(); // user id -> not-before
  const listeners: (() => void)[] = [];
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  let markLoaded: () => void = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));

  const apply = (revocation: TokenRevocation) => {
    if (revocation.kind === 'token') revoked.set(revocation.jti, revocation.expiresAt);
    else if (revocation.notBefore > (notBefore.get(revocation.userId) ?? 0))
      notBefore.set(revocation.userId, revocation.notBefore);
  };
  const applied = (revocations: TokenRevocation[]) => {
    revocations.forEach(apply);
    markLoaded();
    if (revocations.length > 0) for (const listener of listeners) listener();
  };
  const later = (task: () => void, ms: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const prune = () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of revoked) if (exp <= now) revoked.delete(jti);
    for (const [userId, time] of notBefore)
      if (time < now - NOT_BEFORE_KEPT_SECONDS) notBefore.delete(userId);
    later(prune, PRUNE_MS);
  };
  later(prune, PRUNE_MS);

  const stop = redis
    ? listen(redis, logger, applied, later)
    : ops && pollMs > 0
      ? poll(ops, pollMs, logger, applied, later)
      : (markLoaded(), async () => {});

  return {
    isRevoked({ userId, tokenId, issuedAt }) {
      if (tokenId !== undefined && revoked.has(tokenId)) return true;
      const cutOff = notBefore.get(userId);
      return cutOff !== undefined && (issuedAt === undefined || issuedAt < cutOff);
    },
    onRevoked: (listener) => void listeners.push(listener),
    loaded: () => loaded,
    async close() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await stop();
    },
  };
}

type Apply = (revocations: TokenRevocation[]) => void;
type Later = (task: () => void, ms: number) => void;

/**
 * Subscribes first, then loads the sets (ops writes a set before it publishes), on a connection
 * of its own for each: a subscribed connection can do nothing else. After every reconnection the
 * sets are loaded again, since messages sent meanwhile were lost.
 */
function listen(redis: Redis, logger: Logger, applied: Apply, later: Later): () => Promise<void> {
  const subscriber = redis.duplicate({ commandTimeout: undefined });
  // The snapshot can be large: its own connection, with a timeout of its own.
  const reader = redis.duplicate({ commandTimeout: 5_000 });
  subscriber.on('error', (err: Error) => logger.debug({ err }, 'token revocation listener: redis error'));
  reader.on('error', (err: Error) => logger.debug({ err }, 'token revocation reader: redis error'));
  subscriber.on('message', (_channel: string, message: string) => {
    let revocation: TokenRevocation | null = null;
    try {
      revocation = parseTokenRevocation(JSON.parse(message));
    } catch {
      // reported below
    }
    if (revocation) applied([revocation]);
    else logger.warn('unreadable token revocation message');
  });
  const load = async (): Promise<void> => {
    try {
      await subscriber.subscribe(TOKEN_REVOCATION_CHANNEL);
      const now = Math.floor(Date.now() / 1000);
      const [tokens, users] = await Promise.all([
        reader.zrangebyscore(REVOKED_TOKENS_KEY, `(${now}`, '+inf', 'WITHSCORES'),
        reader.zrangebyscore(TOKENS_NOT_BEFORE_KEY, now - NOT_BEFORE_KEPT_SECONDS, '+inf', 'WITHSCORES'),
      ]);
      const snapshot: TokenRevocation[] = [];
      for (let i = 0; i + 1 < tokens.length; i += 2)
        snapshot.push({ kind: 'token', jti: tokens[i]!, expiresAt: Number(tokens[i + 1]) });
      for (let i = 0; i + 1 < users.length; i += 2)
        snapshot.push({ kind: 'user', userId: users[i]!, notBefore: Number(users[i + 1]) });
      applied(snapshot);
    } catch (err) {
      logger.warn({ err }, 'token revocations could not be loaded from Redis; retrying');
      later(() => void load(), RETRY_MS);
    }
  };
  subscriber.on('ready', () => void load());
  return async () => {
    await Promise.all([
      subscriber.quit().catch(() => subscriber.disconnect()),
      reader.quit().catch(() => reader.disconnect()),
    ]);
  };
}

/** Without Redis: asks ops for what changed since its last answer (minus an overlap), every `pollMs`. */
function poll(
  ops: OpsClient,
  pollMs: number,
  logger: Logger,
  applied: Apply,
  later: Later,
): () => Promise<void> {
  let since: Date | null = null;
  let failing = false;
  const tick = async (): Promise<void> => {
    try {
      const { tokenRevocations } = await ops.query<{ tokenRevocations: RevocationsAnswer }>(
        REVOCATIONS_QUERY,
        { since: since?.toISOString() ?? null },
      );
      const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
      applied([
        ...tokenRevocations.tokens.map((t): TokenRevocation => ({
          kind: 'token',
          jti: t.jti,
          expiresAt: seconds(t.expiresAt),
        })),
        ...tokenRevocations.users.map((u): TokenRevocation => ({
          kind: 'user',
          userId: u.userId,
          notBefore: Math.ceil(new Date(u.notBefore).getTime() / 1000),
        })),
      ]);
      since = new Date(new Date(tokenRevocations.asOf).getTime() - POLL_OVERLAP_MS);
      if (failing) logger.info('token revocations: ops answers again');
      failing = false;
    } catch (err) {
      // One line per outage: revocations already known keep applying meanwhile.
      if (!failing)
        logger.warn(
          { err },
          err instanceof OpsUnavailableError
            ? 'token revocations: ops unavailable; retrying'
            : 'token revocations: unreadable answer; retrying',
        );
      failing = true;
    }
    later(() => void tick(), pollMs);
  };
  void tick();
  return async () => {};
}

interface RevocationsAnswer {
  asOf: string;
  tokens: { jti: string; expiresAt: string }[];
  users: { userId: string; notBefore: string }[];
}
