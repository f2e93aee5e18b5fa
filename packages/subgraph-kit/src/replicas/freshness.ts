/**
 * How far behind the primary a streaming replica may be, from WAL positions only: no clock of the
 * database servers, no heartbeat table and no privileged view (pg_stat_replication needs
 * pg_monitor on the primary; these functions do not).
 *
 * The monitor samples the primary's `pg_current_wal_insert_lsn()` at a known local time, then asks
 * each replica for `pg_last_wal_replay_lsn()`. A replica that has replayed a sample's position
 * holds every transaction committed before that sample was taken: a commit's record is inserted
 * before the commit is acknowledged (also with synchronous_commit off, where the acknowledgement
 * may come before the record is written: hence the insert position, not the write position). So
 * its data is at most `now - sample.at` old: that bound is what routing compares with the budget.
 */

/** The lag budget: DATABASE_REPLICA_MAX_LAG_MS (config.ts). @default 5_000 ms */
export const DEFAULT_REPLICA_MAX_LAG_MS = 5_000;

/** The primary's WAL insert position, read at `at` (performance.now() ms, taken before the query). */
export interface PrimarySample {
  at: number;
  lsn: bigint;
}

/** A pg_lsn in its text form (`16/B374D848`: two hex halves of a 64-bit position) as a number. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match) throw new Error(`not a pg_lsn: "${text}"`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/**
 * The time of the newest sample a replica has replayed past, or null when it is behind all of
 * them. `samples` are in the order taken (oldest first).
 */
export function replayedAsOf(samples: readonly PrimarySample[], replayed: bigint): number | null {
  for (let i = samples.length - 1; i >= 0; i -= 1) {
    const sample = samples[i]!;
    if (sample.lsn <= replayed) return sample.at;
  }
  return null;
}

/**
 * Samples still worth keeping: those taken within `maxLagMs` of `now` (an older one could only
 * prove a replica too stale to use), and always the newest, which the next probe compares against.
 */
export function pruneSamples(samples: PrimarySample[], now: number, maxLagMs: number): PrimarySample[] {
  const kept = samples.filter((sample) => now - sample.at <= maxLagMs);
  const newest = samples.at(-1);
  if (newest && !kept.includes(newest)) kept.push(newest);
  return kept;
}

/**
 * How often the monitor probes, for a lag budget: a quarter of it, between 100 ms and 1 s, so that
 * a replica keeping up is always well inside the budget and a failed one is dropped within a
 * second. @default 1_000 ms for the default 5_000 ms budget
 */
export function probeIntervalMs(maxLagMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(maxLagMs / 4)));
}
