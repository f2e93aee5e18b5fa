// @ts-check
/** CPU time from /proc: of one process, and of the Postgres backends serving one database (Postgres must run on this machine). */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) process `pid` has used, in ms. */
export function cpuMs(/** @type {number} */ pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms of each pid still alive. @param {number[]} pids */
function cpuByPid(pids) {
  /** @type {Map<number, number>} */
  const byPid = new Map();
  for (const pid of pids) {
    try {
      byPid.set(pid, cpuMs(pid));
    } catch {
      // the backend ended (an idle pool connection closed): not counted
    }
  }
  return byPid;
}

/**
 * Starts counting the CPU time of the backends connected to `database` now (the pools' open
 * connections); `spentMs()` is what those still alive have used since.
 * @param {string} serverUrl
 * @param {string} database
 */
export async function measureDatabaseCpu(serverUrl, database) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  /** @type {number[]} */
  let pids;
  try {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = $1', [database]);
    pids = rows.map((row) => Number(row.pid));
  } finally {
    await client.end();
  }
  const before = cpuByPid(pids);
  return {
    backends: pids.length,
    spentMs() {
      const after = cpuByPid(pids);
      let spent = 0;
      for (const [pid, at] of before) spent += (after.get(pid) ?? at) - at;
      return spent;
    },
  };
}
