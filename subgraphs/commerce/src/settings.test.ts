import { describe, expect, it } from 'vitest';
import { ConfigError } from '@terrarium/platform/env';
import { loadCommerceSettings } from './settings.js';

describe('loadCommerceSettings: DELIVERY_CONFIRM_DAYS', () => {
  it('defaults to 14 days; COMMERCE_DELIVERY_CONFIRM_DAYS wins over DELIVERY_CONFIRM_DAYS', () => {
    expect(loadCommerceSettings({}).deliveryConfirmDays).toBe(14);
    expect(loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: '7' }).deliveryConfirmDays).toBe(7);
    expect(
      loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: '7', COMMERCE_DELIVERY_CONFIRM_DAYS: '3' })
        .deliveryConfirmDays,
    ).toBe(3);
    expect(loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: '0' }).deliveryConfirmDays).toBe(0);
  });

  it('refuses a value that is not a whole number of days', () => {
    expect(() => loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: 'two weeks' })).toThrow(ConfigError);
    expect(() => loadCommerceSettings({ DELIVERY_CONFIRM_DAYS: '-1' })).toThrow(
      'DELIVERY_CONFIRM_DAYS must be an integer >= 0, got "-1"',
    );
  });
});
