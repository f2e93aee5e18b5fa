import { describe, expect, it } from 'vitest';
import { parseLsn, probeIntervalMs, pruneSamples, replayedAsOf } from './freshness.js';

describe('replica freshness', () => {
  it('orders WAL positions across the 4 GB boundary of their low half', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBeGreaterThan(parseLsn('0/FFFFFFFF'));
    expect(() => parseLsn('16B3748')).toThrow('not a pg_lsn');
  });

  it('dates a replica by the newest primary position it has replayed', () => {
    const samples = [
      { at: 1_000, lsn: 100n },
      { at: 2_000, lsn: 200n },
      { at: 3_000, lsn: 300n },
    ];
    expect(replayedAsOf(samples, 300n)).toBe(3_000);
    expect(replayedAsOf(samples, 250n)).toBe(2_000);
    expect(replayedAsOf(samples, 99n)).toBeNull();
  });

  it('forgets samples older than the budget but keeps the newest', () => {
    const samples = [
      { at: 1_000, lsn: 100n },
      { at: 9_000, lsn: 200n },
    ];
    expect(pruneSamples(samples, 10_000, 5_000)).toEqual([{ at: 9_000, lsn: 200n }]);
    expect(pruneSamples(samples, 20_000, 5_000)).toEqual([{ at: 9_000, lsn: 200n }]);
  });

  it('probes four times per budget, at most once a second', () => {
    expect(probeIntervalMs(5_000)).toBe(1_000);
    expect(probeIntervalMs(2_000)).toBe(500);
    expect(probeIntervalMs(200)).toBe(100);
  });
});
