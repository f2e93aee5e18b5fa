import type { ConnectionType } from '@mikro-orm/core';
import { PostgreSqlDriver, type PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { parseLsn, probeIntervalMs, pruneSamples, replayedAsOf, type PrimarySample } from './freshness.js';

/** One replica as routing sees it (replica-1, replica-2, ... in the order of the URLs). */
export interface ReplicaState {
  name: string;
  /** Reads may go here now: it answered its last probe and is within the lag budget. */
  usable: boolean;
  /** An upper bound of its lag, in ms; null when unknown (never caught up, or not answering). */
  lagMs: number | null;
}

export interface ReplicaMonitorOptions {
  /** A replica is read only while its data is known to be at most this old. */
  maxLagMs: number;
  logger: Logger;
  /** Told of every change of a replica's usability (metrics). */
  onChange?: (name: string, usable: boolean) => void;
}

interface Tracked {
  name: string;
  connection: PostgreSqlConnection;
  /** performance.now() of the newest primary sample it has replayed; -Infinity: none yet. */
  replayedAsOf: number;
  usable: boolean;
  /** The reason it was last unusable, logged once per change. */
  problem: string | null;
}

/**
 * MikroORM's Postgres driver with one change: `getConnection('read')` answers a replica only while
 * the replica is known to be fresh (within `maxLagMs` of the primary, see freshness.ts) and
 * answering, chosen at random among those; otherwise the primary. MikroORM alone picks any
 * configured replica at random, however far behind or down it is. `preferReadReplicas` is off
 * (orm.ts), so only reads that ask for `connectionType: 'read'` get here at all.
 */
export class ReplicaRoutingDriver extends PostgreSqlDriver {
  private tracked: Tracked[] = [];
  private maxLagMs = 0;
  private timer: NodeJS.Timeout | undefined;

  override getConnection(type: ConnectionType = 'write'): PostgreSqlConnection {
    if (type === 'write' || this.tracked.length === 0) return this.connection;
    const now = performance.now();
    const fresh = this.tracked.filter((r) => r.usable && now - r.replayedAsOf <= this.maxLagMs);
    if (fresh.length === 0) return this.connection;
    return fresh[Math.floor(Math.random() * fresh.length)]!.connection;
  }

  /** Where each replica stands now (tests, /metrics). */
  replicaStates(): ReplicaState[] {
    const now = performance.now();
    return this.tracked.map((r) => {
      const lagMs = r.usable && Number.isFinite(r.replayedAsOf) ? Math.round(now - r.replayedAsOf) : null;
      return { name: r.name, usable: lagMs !== null && lagMs <= this.maxLagMs, lagMs };
    });
  }

  /**
   * Starts probing the replicas (until close): none is read before its first successful probe.
   * Probes go through knex directly, so they are not counted as the subgraph's SQL statements.
   */
  monitorReplicas(options: ReplicaMonitorOptions): void {
    if (this.replicas.length === 0 || this.timer) return;
    const { maxLagMs, logger, onChange } = options;
    this.maxLagMs = maxLagMs;
    this.tracked = this.replicas.map((connection, i) => ({
      name: `replica-${i + 1}`,
      connection,
      replayedAsOf: -Infinity,
      usable: false,
      problem: null,
    }));
    const intervalMs = probeIntervalMs(maxLagMs);
    let samples: PrimarySample[] = [];
    let running = false;

    const mark = (replica: Tracked, usable: boolean, problem: string | null) => {
      // A probe in flight while the ORM closes fails; that is no news about the replica.
      if (!this.timer) return;
      if (usable === replica.usable && problem === replica.problem) return;
      replica.usable = usable;
      replica.problem = problem;
      if (usable) logger.info({ replica: replica.name }, 'database replica in use for reads');
      else
        logger.warn({ replica: replica.name, problem }, 'database replica not used: reads go to the primary');
      onChange?.(replica.name, usable);
    };

    const probeReplica = async (replica: Tracked) => {
      try {
        const lsn = await scalar(
          replica.connection,
          'select pg_last_wal_replay_lsn()::text as v',
          intervalMs,
        );
        // NULL: the server is not a standby (a promoted replica, or a primary's URL by mistake).
        if (lsn === null) return mark(replica, false, 'not a standby (pg_last_wal_replay_lsn() is null)');
        const asOf = replayedAsOf(samples, parseLsn(lsn));
        if (asOf !== null && asOf > replica.replayedAsOf) replica.replayedAsOf = asOf;
        const fresh = performance.now() - replica.replayedAsOf <= maxLagMs;
        mark(replica, fresh, fresh ? null : `more than ${maxLagMs} ms behind the primary`);
      } catch (err) {
        // Not answering within a probe interval: reads stop going there at once, not after the budget.
        replica.replayedAsOf = -Infinity;
        mark(replica, false, `probe failed: ${(err as Error).message}`);
      }
    };

    const probe = async () => {
      if (running || !this.timer) return;
      running = true;
      try {
        const at = performance.now();
        try {
          const lsn = await scalar(
            this.connection,
            'select pg_current_wal_insert_lsn()::text as v',
            intervalMs,
          );
          if (lsn !== null) samples.push({ at, lsn: parseLsn(lsn) });
        } catch (err) {
          // No new sample: the replicas' bounds age until the primary answers again.
          logger.debug({ err }, 'primary WAL position probe failed');
        }
        await Promise.all(this.tracked.map(probeReplica));
        samples = pruneSamples(samples, performance.now(), maxLagMs);
      } finally {
        running = false;
      }
    };

    this.timer = setInterval(() => void probe(), intervalMs);
    this.timer.unref();
    void probe();
  }

  override async close(force?: boolean): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await super.close(force);
  }
}

/** The one text column `v` of a one-row statement, or null; rejects after `timeoutMs`. */
async function scalar(
  connection: PostgreSqlConnection,
  sql: string,
  timeoutMs: number,
): Promise<string | null> {
  const result = (await connection.getKnex().raw(sql).timeout(timeoutMs)) as { rows: { v: string | null }[] };
  return result.rows[0]?.v ?? null;
}
