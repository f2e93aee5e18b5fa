/** Demo data per the seed canon (BRIEF.md); other subgraphs seed the same ids via seedId(...). */

/** Animal n belongs to ORGANIZATIONS[(n - 1) % 3]. */
export const ORGANIZATIONS = ['sunset-reptiles', 'scales-and-tails', 'desert-morphs'] as const;

/**
 * Asking prices (EUR cents) of the offspring 7..24, by morph: visual ball python clowns and
 * banana combos at the top, hets and normals lower, leopard geckos and corn snakes below.
 */
export const ANIMAL_PRICES: Record<number, number> = {
  7: 44_900, // Pastel Banana Clown ball python
  8: 34_900, // Banana Clown
  9: 17_900, // Pastel Het Clown
  10: 24_900, // Clown
  11: 29_900, // Banana Pastel Het Clown
  12: 11_900, // Normal Het Clown
  13: 14_900, // Mack Snow Tremper Albino leopard gecko
  14: 9_900, // Tremper Albino
  15: 14_900, // Mack Snow Tremper Albino
  16: 9_900, // Tremper Albino
  17: 12_900, // Mack Snow Tremper Albino hatchling
  18: 8_900, // Tremper Albino hatchling
  19: 8_900, // Snow corn snake
  20: 6_900, // Amel Het Anery
  21: 6_900, // Anery Het Amel
  22: 5_900, // Normal Double Het
  23: 8_900, // Snow
  24: 6_900, // Amel Het Anery
};

/** Supplies Sunset Reptiles sells beside its animals, at its own prices (EUR cents). */
export const SUNSET_PRODUCT_LISTINGS: { sku: string; price: number }[] = [
  { sku: 'TR-HEAT-100', price: 2_299 },
  { sku: 'TR-UVB-T5', price: 3_299 },
  { sku: 'TR-THERM-DIG', price: 4_299 },
  { sku: 'TR-MICE-F', price: 1_399 },
  { sku: 'TR-CALC-D3', price: 949 },
];

/** Kai Keeper's delivered first order, paid with WELCOME10 (catalog prices of the time). */
export const KEEPER_ORDER = {
  lines: [
    { sku: 'TR-HEAT-100', quantity: 1, unitAmount: 2_499 },
    { sku: 'TR-THERM-DIG', quantity: 1, unitAmount: 4_499 },
    { sku: 'TR-HIDE-M', quantity: 2, unitAmount: 1_599 },
  ],
  coupon: 'WELCOME10',
  shippingAddress: {
    name: 'Kai Keeper',
    line1: 'Terrarienweg 12',
    line2: null,
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
  /** The store's own supplies: one shipment, seller null, delivered. */
  shipment: { carrier: 'DHL', trackingNumber: 'JJD0099123456789' },
  history: [
    { from: null, to: 'PENDING', at: '2026-10-05T14:12:00.000Z', by: 'keeper' },
    { from: 'PENDING', to: 'PAID', at: '2026-10-05T14:13:10.000Z', by: 'keeper' },
    { from: 'PAID', to: 'SHIPPED', at: '2026-10-06T09:30:00.000Z', by: 'admin' },
    { from: 'SHIPPED', to: 'DELIVERED', at: '2026-10-08T11:05:00.000Z', by: 'admin' },
  ],
} as const;
