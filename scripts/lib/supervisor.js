// @ts-check
/**
 * Keeps one platform process running: when it dies (crash, OOM kill, SIGKILL) it is started again
 * after an exponential backoff, with a log line, while the other processes keep serving. Only
 * `stop()` ends it for good. One supervisor per process, so one crash-looping subgraph never
 * delays the restart of another.
 */

/** First restart delay. @default 500 ms */
export const RESTART_MIN_DELAY_MS = 500;
/** The backoff doubles per consecutive crash up to this. @default 30_000 ms */
export const RESTART_MAX_DELAY_MS = 30_000;
/** A process that stayed up this long is healthy again: its next crash restarts at the minimum delay. @default 60_000 ms */
export const RESTART_RESET_AFTER_MS = 60_000;

/**
 * @typedef {{ child: import('node:child_process').ChildProcess, label: string, alive(): boolean, stop(graceMs?: number): Promise<void> }} ProcessHandle
 */

/**
 * @param {object} options
 * @param {string} options.label
 * @param {() => ProcessHandle} options.spawn starts one instance of the process
 * @param {(message: string) => void} options.log
 * @param {number} [options.minDelayMs]
 * @param {number} [options.maxDelayMs]
 * @param {number} [options.resetAfterMs]
 */
export function supervise({
  label,
  spawn,
  log,
  minDelayMs = RESTART_MIN_DELAY_MS,
  maxDelayMs = RESTART_MAX_DELAY_MS,
  resetAfterMs = RESTART_RESET_AFTER_MS,
}) {
  let current = spawn();
  let startedAt = Date.now();
  let crashes = 0;
  let restarts = 0;
  let stopped = false;
  /** @type {NodeJS.Timeout | undefined} */
  let pending;

  const watch = (/** @type {ProcessHandle} */ proc) => {
    proc.child.once('exit', (code, signal) => {
      if (stopped || proc !== current) return;
      if (Date.now() - startedAt >= resetAfterMs) crashes = 0;
      const delay = Math.min(maxDelayMs, minDelayMs * 2 ** crashes);
      crashes += 1;
      log(
        `${label} (pid ${proc.child.pid}) exited with ${signal ? `signal ${signal}` : `code ${code}`}; restarting in ${delay} ms (crash ${crashes} in a row)`,
      );
      pending = setTimeout(() => {
        pending = undefined;
        if (stopped) return;
        current = spawn();
        startedAt = Date.now();
        restarts += 1;
        log(`${label} restarted (pid ${current.child.pid})`);
        watch(current);
      }, delay);
    });
  };
  watch(current);

  return {
    label,
    /** The running instance (a new one after each restart). */
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    alive: () => current.alive(),
    /** Stops for good: no restart after this. */
    async stop(/** @type {number | undefined} */ graceMs) {
      stopped = true;
      clearTimeout(pending);
      await current.stop(graceMs);
    },
  };
}
