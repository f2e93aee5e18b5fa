import type { Logger } from 'pino';
import type { Redis } from '../redis.js';
import { ENTITY_REFERENCE, ROOT_REFERENCE, type EntityStore } from './store.js';

/** Keys scanned per SCAN step of a purge by type. */
const SCAN_COUNT = 500;

/**
 * Drops an entity's hash, the root answers it references and the other entities' entries that
 * show it (ARGV[1]: root key prefix, ARGV[2]: entity key prefix), in one step, so no reader sees
 * the entity gone but an answer that showed it still there.
 */
const DROP_SCRIPT = `
local fields = redis.call('HKEYS', KEYS[1])
for _, field in ipairs(fields) do
  if string.sub(field, 1, ${ROOT_REFERENCE.length}) == '${ROOT_REFERENCE}' then
    redis.call('DEL', ARGV[1] .. string.sub(field, ${ROOT_REFERENCE.length + 1}))
  elseif string.sub(field, 1, ${ENTITY_REFERENCE.length}) == '${ENTITY_REFERENCE}' then
    local separator = string.find(field, '\\n', ${ENTITY_REFERENCE.length + 1}, true)
    if separator then
      redis.call('HDEL', ARGV[2] .. string.sub(field, ${ENTITY_REFERENCE.length + 1}, separator - 1), string.sub(field, separator + 1))
    end
  end
end
return redis.call('DEL', KEYS[1])`;

/**
 * The store every gateway shares through Redis: an entity is a hash (`<prefix>ec:<address>`, its
 * fields the entries), a root answer a string (`<prefix>ecr:<key>`). A hash expires with its
 * longest-lived field (`EXPIRE NX` then `GT`: Redis 7); readers skip the expired fields in it.
 * Reads and writes are pipelined: one round trip per plan step, whatever its number of entities.
 */
export function createRedisEntityStore(options: {
  redis: Redis;
  keyPrefix: string;
  /** Every call runs through it: over budget or failing, a read is a miss and a write is skipped. */
  guard: <T>(call: () => Promise<T>) => Promise<T>;
  logger: Logger;
}): EntityStore {
  const { redis, guard, logger } = options;
  const entityKey = (address: string) => `${options.keyPrefix}ec:${address}`;
  const rootPrefix = `${options.keyPrefix}ecr:`;
  const entityPrefix = `${options.keyPrefix}ec:`;
  const quietly = (what: string) => (err: unknown) => logger.debug({ err }, `entity cache: ${what} failed`);
  const expire = (pipeline: ReturnType<Redis['pipeline']>, key: string, ttlSeconds: number) => {
    pipeline.expire(key, ttlSeconds, 'NX');
    pipeline.expire(key, ttlSeconds, 'GT');
  };
  const drop = (address: string) =>
    guard(() => redis.eval(DROP_SCRIPT, 1, entityKey(address), rootPrefix, entityPrefix)).then(
      () => undefined,
    );

  return {
    async get(reads) {
      if (reads.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const { address, fields } of reads) pipeline.hmget(entityKey(address), ...fields);
      const results = await guard(() => pipeline.exec());
      return reads.map(({ fields }, index) => {
        const [err, values] = results?.[index] ?? [null, null];
        if (err || !Array.isArray(values)) return fields.map(() => null);
        return values as (string | null)[];
      });
    },
    getRoot(key) {
      return guard(() => redis.get(rootPrefix + key));
    },
    put(writes) {
      if (writes.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { address, field, value, ttlSeconds } of writes) {
        pipeline.hset(entityKey(address), field, value);
        expire(pipeline, entityKey(address), ttlSeconds);
      }
      guard(() => pipeline.exec()).catch(quietly('write'));
    },
    putRoot(key, value, ttlSeconds, addresses) {
      const pipeline = redis.pipeline();
      pipeline.set(rootPrefix + key, value, 'EX', ttlSeconds);
      for (const address of addresses) {
        pipeline.hset(entityKey(address), ROOT_REFERENCE + key, '1');
        expire(pipeline, entityKey(address), ttlSeconds);
      }
      guard(() => pipeline.exec()).catch(quietly('root write'));
    },
    drop,
    async dropType(typename) {
      const match = `${entityKey(typename)}:*`;
      let cursor = '0';
      let dropped = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        cursor = next;
        for (const key of keys) {
          await redis.eval(DROP_SCRIPT, 1, key, rootPrefix, entityPrefix);
          dropped += 1;
        }
      } while (cursor !== '0');
      return dropped;
    },
    async close() {},
  };
}
