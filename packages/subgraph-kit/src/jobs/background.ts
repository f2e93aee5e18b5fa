import { AsyncLocalStorage } from 'node:async_hooks';
import { disableWhenIdle } from '../idle-async-storage.js';

/**
 * Marks work a job handler does, so what a request costs (its SQL statements) can be told apart
 * from what the process's workers do at the same moment.
 */
const background = new AsyncLocalStorage<true>();
// Between jobs it marks nothing: off, so that requests' promises do not pay for it.
disableWhenIdle(background);

/** Runs `work` as background work: everything it awaits, directly or not, is inside. */
export function runInBackground<T>(work: () => Promise<T>): Promise<T> {
  return background.run(true, work);
}

/** True inside a job handler, false on a request's path. */
export function inBackground(): boolean {
  return background.getStore() === true;
}
