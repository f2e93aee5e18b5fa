import { describe, expect, it } from 'vitest';
import { ConfigError } from '@terrarium/platform/env';
import { loadCommerceSettings } from './settings.js';

describe('ORDER_PAYMENT_TIMEOUT', () => {
  const timeout = (value: string | undefined) =>
    loadCommerceSettings({ ORDER_PAYMENT_TIMEOUT: value }).paymentTimeoutMs;

  it('defaults to 30 minutes and reads bare numbers as minutes', () => {
    expect(timeout(undefined)).toBe(30 * 60_000);
    expect(timeout('')).toBe(30 * 60_000);
    expect(timeout('45')).toBe(45 * 60_000);
  });

  it('takes a unit: ms, s or m', () => {
    expect(timeout('1500ms')).toBe(1_500);
    expect(timeout('90s')).toBe(90_000);
    expect(timeout('2m')).toBe(120_000);
  });

  it('refuses anything else, and less than a second, naming the variable', () => {
    for (const bad of ['soon', '-5', '1.5', '10h', '999ms', '0']) {
      expect(() => timeout(bad)).toThrow(ConfigError);
      expect(() => timeout(bad)).toThrow(/ORDER_PAYMENT_TIMEOUT/);
    }
  });
});

describe('DELIVERY_CONFIRM_DAYS', () => {
  const days = (value: string | undefined) =>
    loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: value }).deliveryConfirmDays;

  it('defaults to 14 days; 0 confirms at the next hourly run', () => {
    expect(days(undefined)).toBe(14);
    expect(days('7')).toBe(7);
    expect(days('0')).toBe(0);
  });

  it('refuses a value that is not a whole number of days', () => {
    expect(() => days('two weeks')).toThrow(ConfigError);
    expect(() => days('-1')).toThrow('DELIVERY_CONFIRM_DAYS must be an integer of at least 0, got "-1"');
  });
});
