import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Switches chosen AsyncLocalStorage instances off whenever none of their `run`s is in progress.
 *
 * Why: on Node 20 an AsyncLocalStorage turns on the promise hooks of the whole process the first
 * time it runs, and they stay on until it is disabled: from then on every promise any request
 * creates pays for context propagation. MikroORM runs one per flush (the UnitOfWork's "inside
 * flush" marker) and one per transaction (TransactionContext), and the kit one per job
 * (jobs/background.ts), so after a subgraph's first write every read paid it: 29% of the CPU of a
 * 20-entity `_entities` fetch (0.38 -> 0.27 ms with the hooks off; Node 22's AsyncContextFrame
 * makes the hooks unnecessary). These instances only matter while their run is in progress (a
 * flush, a transaction, a job), so each is disabled when its last run settles, and `run` enables
 * it again. The process's other instances (OpenTelemetry's context, whose runs end before the work
 * they carry does) are left alone.
 *
 * How: `AsyncLocalStorage.prototype.run` is wrapped once, and counts the runs in progress of the
 * instances it tracks: those registered here, and MikroORM's flush, transaction and raw-query
 * storages, recognised by the caller of their first run (they are private to it). Work a run
 * starts and does not await (a timer set in a flush hook) sees no store once the run has settled:
 * what it would have seen then was stale.
 */

const tracked = new WeakMap<AsyncLocalStorage<unknown>, { running: number }>();
const untracked = new WeakSet<AsyncLocalStorage<unknown>>();
let installed = false;

/** Tracks `storage`: it is disabled whenever none of its runs is in progress. */
export function disableWhenIdle(storage: AsyncLocalStorage<unknown>): void {
  installIdleAsyncStorage();
  if (!tracked.has(storage)) tracked.set(storage, { running: 0 });
  untracked.delete(storage);
}

/**
 * Wraps `run` once per process; from then on MikroORM's instances are tracked as they first run.
 * `IDLE_ASYNC_STORAGE=false` leaves Node's AsyncLocalStorage as it is.
 */
export function installIdleAsyncStorage(): void {
  if (installed || process.env['IDLE_ASYNC_STORAGE'] === 'false') return;
  installed = true;
  const run = AsyncLocalStorage.prototype.run;
  AsyncLocalStorage.prototype.run = function <R, TArgs extends unknown[]>(
    this: AsyncLocalStorage<unknown>,
    store: unknown,
    callback: (...args: TArgs) => R,
    ...args: TArgs
  ): R {
    const state = stateOf(this);
    if (!state) return run.call(this, store, callback, ...args) as R;
    state.running += 1;
    let result: R;
    try {
      result = run.call(this, store, callback, ...args) as R;
    } catch (err) {
      settle(this, state);
      throw err;
    }
    if (result instanceof Promise) {
      result.then(
        () => settle(this, state),
        () => settle(this, state),
      );
    } else {
      settle(this, state);
    }
    return result;
  };
}

/**
 * MikroORM's storages that only matter while their run is in progress: the UnitOfWork's "inside
 * flush" marker, TransactionContext and RawQueryFragment's. Not RequestContext: a web framework's
 * middleware runs it around a callback that returns before the request's work ends.
 */
const MIKRO_ORM_RUNS =
  /@mikro-orm\/core\/(unit-of-work\/UnitOfWork|utils\/TransactionContext|utils\/RawQueryFragment)\.js/;

function stateOf(storage: AsyncLocalStorage<unknown>): { running: number } | undefined {
  const state = tracked.get(storage);
  if (state || untracked.has(storage)) return state;
  // First run of an instance nobody registered: one of MikroORM's above, or anyone else's, left
  // alone. One stack trace per instance: [0] "Error", [1] stateOf, [2] the wrapped run, [3] its caller.
  const caller = new Error().stack?.split('\n')[3] ?? '';
  if (!MIKRO_ORM_RUNS.test(caller)) {
    untracked.add(storage);
    return undefined;
  }
  const created = { running: 0 };
  tracked.set(storage, created);
  return created;
}

function settle(storage: AsyncLocalStorage<unknown>, state: { running: number }): void {
  state.running -= 1;
  if (state.running === 0) storage.disable();
}
