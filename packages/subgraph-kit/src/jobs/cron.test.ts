import { describe, expect, it } from 'vitest';
import { cronEvery } from './cron.js';

describe('cronEvery', () => {
  it('rounds an interval to pg-boss cron resolution (whole minutes, then whole hours)', () => {
    expect(cronEvery(15_000)).toBe('* * * * *');
    expect(cronEvery(300_000)).toBe('*/5 * * * *');
    expect(cronEvery(3_600_000)).toBe('0 */1 * * *');
    expect(cronEvery(6 * 3_600_000)).toBe('0 */6 * * *');
    expect(cronEvery(48 * 3_600_000)).toBe('0 0 * * *');
  });
});
