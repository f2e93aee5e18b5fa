import type { EntityRead, EntityStore } from './store.js';

/**
 * A gateway's memory in front of the shared Redis store: a hit in memory costs no round trip,
 * which is most of a warm page's cost. Memory stays as fresh as Redis because every gateway hears
 * every entity change and drops both; while this gateway cannot hear them (its Redis subscription
 * is down: `localUsable` false) memory is neither read nor written, and it is emptied when
 * hearing stops (`clearLocal`), so nothing missed is served later.
 */
export function createTieredEntityStore(options: {
  local: EntityStore;
  shared: EntityStore;
  localUsable: () => boolean;
  /** Seconds a value has left (0 when expired), to keep a shared hit in memory no longer than in Redis. */
  remainingSeconds: (value: string) => number;
}): EntityStore & { clearLocal(): Promise<void> } {
  const { local, shared, localUsable, remainingSeconds } = options;
  return {
    async get(reads) {
      if (!localUsable()) return shared.get(reads);
      const values = await local.get(reads);
      const missing: number[] = [];
      values.forEach((fields, index) => {
        if (fields.some((value) => value === null)) missing.push(index);
      });
      if (missing.length === 0) return values;
      const asked: EntityRead[] = missing.map((index) => reads[index]!);
      const found = await shared.get(asked);
      missing.forEach((readIndex, position) => {
        const read = reads[readIndex]!;
        const sharedValues = found[position] ?? [];
        read.fields.forEach((field, fieldIndex) => {
          const value = sharedValues[fieldIndex] ?? null;
          if (values[readIndex]![fieldIndex] !== null || value === null) return;
          values[readIndex]![fieldIndex] = value;
          const ttlSeconds = remainingSeconds(value);
          if (ttlSeconds > 0) local.put([{ address: read.address, field, value, ttlSeconds }]);
        });
      });
      return values;
    },
    async getRoot(key) {
      if (!localUsable()) return shared.getRoot(key);
      const held = await local.getRoot(key);
      if (held !== null) return held;
      return shared.getRoot(key);
    },
    put(writes) {
      if (localUsable()) local.put(writes);
      shared.put(writes);
    },
    putRoot(key, value, ttlSeconds, addresses) {
      if (localUsable()) local.putRoot(key, value, ttlSeconds, addresses);
      shared.putRoot(key, value, ttlSeconds, addresses);
    },
    async drop(address) {
      await Promise.all([local.drop(address), shared.drop(address)]);
    },
    async dropType(typename) {
      const [, dropped] = await Promise.all([local.dropType(typename), shared.dropType(typename)]);
      return dropped;
    },
    async clearLocal() {
      await local.close();
    },
    async close() {
      await Promise.all([local.close(), shared.close()]);
    },
  };
}
