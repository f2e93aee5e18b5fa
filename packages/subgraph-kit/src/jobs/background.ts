import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks work a job handler does, so what a request costs (its SQL statements) can be told apart
 * from what the process's workers do at the same moment.
 */
const background = new AsyncLocalStorage<true>();

/** Runs `work` as background work: everything it awaits, directly or not, is inside. */
export function runInBackground<T>(work: () => Promise<T>): Promise<T> {
  return background.run(true, work);
}

/** True inside a job handler, false on a request's path. */
export function inBackground(): boolean {
  return background.getStore() === true;
}
