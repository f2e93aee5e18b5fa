import type { ServerResponse } from 'node:http';

/** Resolves when `res` can take more (drain), or when it closed: a writer never waits on a gone client. */
export function untilDrained(res: ServerResponse): Promise<void> {
  if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
