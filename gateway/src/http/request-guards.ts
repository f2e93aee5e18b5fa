import type { IncomingMessage } from 'node:http';
import type { Caller } from '@terrarium/platform/caller';
import { ErrorCode } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Blocklist, BlockReason } from '../access/blocklist.js';
import { clientIp } from './client-ip.js';
import type { RateLimiter, RateLimitVerdict } from '../limits/rate-limit.js';

/** Whom a rate limit counts: the partner key, else the user, else the IP. */
export function rateLimitKey(caller: Caller, ip: string): string {
  if (caller.apiClientId) return `key:${caller.apiClientId}`;
  if (caller.userId) return `user:${caller.userId}`;
  return `ip:${ip}`;
}

/** Whole seconds until a refused client may try again (at least 1). */
export function retryAfterSeconds(verdict: RateLimitVerdict): number {
  return Math.max(1, Math.ceil(verdict.resetMs / 1000));
}

/** The body of a 429 (and the text of graphql-ws's 4429 close reason). */
export function rateLimitedError(seconds: number) {
  return {
    message: `Too many requests; retry in ${seconds} s.`,
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds },
  };
}

/** `ratelimit-*` and `retry-after` headers for an HTTP answer carrying `verdict`. */
export function rateLimitHeaders(verdict: RateLimitVerdict): Record<string, string> {
  const headers: Record<string, string> = {};
  if (verdict.limit > 0) {
    headers['ratelimit-limit'] = String(verdict.limit);
    headers['ratelimit-remaining'] = String(verdict.remaining);
  }
  if (!verdict.allowed) headers['retry-after'] = String(retryAfterSeconds(verdict));
  return headers;
}

export interface RequestGuards {
  /** The client's IP as the guards see it (TRUST_PROXY decides whether X-Forwarded-For counts). */
  ipOf(req: IncomingMessage): string;
  /** Why the request's IP or user agent is blocklisted, or null; a refusal is counted in the metrics. */
  blocked(req: IncomingMessage): Promise<BlockReason | null>;
  /** Counts one request of this caller (key, else user, else IP); a refusal is counted in the metrics. */
  limit(caller: Caller, ip: string): Promise<RateLimitVerdict>;
}

/**
 * The request-level guards every entry point applies (POST/GET /graphql, the graphql-ws upgrade
 * and each subscribe, SSE and multipart subscriptions): one blocklist and one rate limiter, so a
 * client has a single budget and a single ban whatever transport it uses.
 */
export function createRequestGuards(deps: {
  blocklist: Blocklist;
  rateLimiter: RateLimiter;
  metrics: GatewayMetrics;
  trustProxy: number;
}): RequestGuards {
  const { blocklist, rateLimiter, metrics, trustProxy } = deps;
  return {
    ipOf: (req) => clientIp(req, trustProxy),
    async blocked(req) {
      const agent = req.headers['user-agent'];
      const reason = await blocklist.check(
        clientIp(req, trustProxy),
        Array.isArray(agent) ? agent[0] : agent,
      );
      if (reason) metrics.refusals.inc({ reason: `blocklist_${reason}` });
      return reason;
    },
    async limit(caller, ip) {
      const verdict = await rateLimiter.hit(rateLimitKey(caller, ip));
      if (!verdict.allowed) metrics.refusals.inc({ reason: 'rate_limit' });
      return verdict;
    },
  };
}
