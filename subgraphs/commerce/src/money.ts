import { BadUserInputError } from '@terrarium/platform/errors';

/** Integer minor units (cents) and an ISO-4217 code. */
export interface Money {
  amount: number;
  currency: string;
}

/** The currency of an empty cart. */
export const DEFAULT_CURRENCY = 'EUR';

/** Largest amount accepted for a price, in minor units (10 million euros): keeps sums in int4. */
export const MAX_AMOUNT = 1_000_000_000;

export function money(amount: number, currency: string): Money {
  return { amount, currency };
}

export function validateCurrency(currency: string, field: string): string {
  if (!/^[A-Z]{3}$/.test(currency))
    throw new BadUserInputError(`"${field}" must be an ISO-4217 code such as EUR, got "${currency}".`, field);
  return currency;
}

export function validateAmount(amount: number, field: string, min = 0): number {
  if (!Number.isInteger(amount) || amount < min || amount > MAX_AMOUNT) {
    throw new BadUserInputError(
      `"${field}" must be a whole number of minor units from ${min} to ${MAX_AMOUNT}, got ${amount}.`,
      field,
    );
  }
  return amount;
}

/** One currency for everything in a cart or an order; a mix is refused where it would enter. */
export function sameCurrency(prices: readonly Money[]): string | null {
  const currencies = new Set(prices.map((p) => p.currency));
  if (currencies.size > 1)
    throw new BadUserInputError(`A cart holds one currency; it would mix ${[...currencies].join(' and ')}.`);
  return prices[0]?.currency ?? null;
}

/** For people (mails): `€91.76`. Minor units follow the currency (two for EUR, none for JPY). */
export function formatMoney({ amount, currency }: Money): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}
