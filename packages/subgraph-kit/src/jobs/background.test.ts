import { describe, expect, it } from 'vitest';
import { inBackground, runInBackground } from './background.js';

describe('runInBackground', () => {
  it('marks everything the work awaits, and nothing beside it', async () => {
    const seen: boolean[] = [];
    const work = runInBackground(async () => {
      seen.push(inBackground());
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.resolve().then(() => seen.push(inBackground()));
    });
    const request = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(inBackground());
    })();
    await Promise.all([work, request]);
    expect(seen).toEqual([true, false, true]);
    expect(inBackground()).toBe(false);
  });
});
