import type { Logger } from 'pino';
import type { Redis, RedisGuard } from '../redis.js';

export type BlockReason = 'ip' | 'user-agent';

export interface Blocklist {
  /** Why this client is blocked, or null. */
  check(ip: string, userAgent: string | undefined): Promise<BlockReason | null>;
}

interface Options {
  redis: Redis | null;
  redisKeyPrefix: string;
  /** How long a copy of the sets is used before it is read again (0: read on every request). */
  refreshMs: number;
  /** Bounds each Redis read (budget and circuit breaker). */
  guard: RedisGuard;
  logger: Logger;
}

/**
 * Blocked IPs and user agents, kept by operators in two Redis sets shared by every gateway:
 * `<prefix>blocklist:ips` (exact addresses) and `<prefix>blocklist:user-agents` (case-insensitive
 * substrings, e.g. "sqlmap"). Each process keeps a copy for `refreshMs`, so a request costs no
 * round trip; a Redis outage keeps the last copy (fails open when there is none).
 */
export function createBlocklist({ redis, redisKeyPrefix, refreshMs, guard, logger }: Options): Blocklist {
  const ipsKey = `${redisKeyPrefix}blocklist:ips`;
  const agentsKey = `${redisKeyPrefix}blocklist:user-agents`;
  let ips = new Set<string>();
  let agents: string[] = [];
  let loadedAt = -Infinity;
  let refreshing: Promise<void> | null = null;

  async function refresh(client: Redis): Promise<void> {
    try {
      const [ipList, agentList] = await guard.run(() =>
        Promise.all([client.smembers(ipsKey), client.smembers(agentsKey)]),
      );
      ips = new Set(ipList);
      agents = agentList.map((agent) => agent.toLowerCase()).filter(Boolean);
    } catch (err) {
      logger.warn({ err }, 'blocklist unavailable; keeping the last copy');
    }
    loadedAt = Date.now();
  }

  return {
    async check(ip, userAgent) {
      if (!redis) return null;
      if (Date.now() - loadedAt >= refreshMs) {
        refreshing ??= refresh(redis).finally(() => {
          refreshing = null;
        });
        await refreshing;
      }
      if (ips.has(ip)) return 'ip';
      if (userAgent && agents.length > 0) {
        const agent = userAgent.toLowerCase();
        if (agents.some((blocked) => agent.includes(blocked))) return 'user-agent';
      }
      return null;
    },
  };
}
