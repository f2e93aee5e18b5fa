import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import type { CouponEntity } from '../entities/coupon.entity.js';
import { money, validateAmount, validateCurrency, type Money } from '../money.js';
import { isUniqueViolation, query, queryOne } from '@terrarium/subgraph-kit/sql';

type CouponTerms = Pick<CouponEntity, 'percentOff' | 'amountOff' | 'currency'>;

/** Codes are case-insensitive: stored and compared upper-case. */
export function normalizeCouponCode(code: string): string {
  const normalized = code.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_-]{2,31}$/.test(normalized)) {
    throw new BadUserInputError('"code" must be 3 to 32 letters, digits, "-" or "_".', 'code');
  }
  return normalized;
}

/** Why the coupon cannot be used now for a cart in `currency`, or null when it can. */
export function couponProblem(coupon: CouponEntity, now: Date, currency: string): string | null {
  if (coupon.validFrom > now) return `Coupon ${coupon.code} is not valid yet.`;
  if (coupon.validUntil && coupon.validUntil <= now) return `Coupon ${coupon.code} has expired.`;
  if (coupon.usageLimit != null && coupon.usedCount >= coupon.usageLimit)
    return `Coupon ${coupon.code} has been used up.`;
  if (coupon.amountOff != null && coupon.currency !== currency)
    return `Coupon ${coupon.code} is for ${coupon.currency} carts.`;
  return null;
}

/** Percent off rounds to the nearest minor unit; a fixed amount never takes more than the subtotal. */
export function discountFor(coupon: CouponTerms, subtotal: Money): Money {
  const off =
    coupon.percentOff != null
      ? Math.round((subtotal.amount * coupon.percentOff) / 100)
      : Math.min(coupon.amountOff ?? 0, subtotal.amount);
  return money(off, subtotal.currency);
}

/**
 * Counts one use of the coupon, atomically: the conditional UPDATE takes the row lock and
 * re-checks the window and the limit, so concurrent checkouts can never exceed usage_limit.
 * Returns the coupon's terms, or null when it cannot be used (expired, used up, other currency).
 */
export async function consumeCoupon(
  tx: EntityManager,
  code: string,
  currency: string,
): Promise<CouponTerms | null> {
  const row = await queryOne<CouponTerms>(
    tx,
    `update coupon set used_count = used_count + 1
      where code = ? and valid_from <= now() and (valid_until is null or valid_until > now())
        and (usage_limit is null or used_count < usage_limit) and (amount_off is null or currency = ?)
      returning percent_off as "percentOff", amount_off as "amountOff", currency`,
    [code, currency],
  );
  return row ?? null;
}

/** Gives a use back when the order it counted for is voided or cancelled. */
export async function giveBackCoupon(tx: EntityManager, code: string): Promise<void> {
  await query(tx, 'update coupon set used_count = used_count - 1 where code = ? and used_count > 0', [code]);
}

export interface CreateCouponArgs {
  code: string;
  percentOff?: number | null;
  amountOff?: number | null;
  currency?: string | null;
  validFrom?: Date | null;
  validUntil?: Date | null;
  usageLimit?: number | null;
}

/** Checks a new coupon's terms; returns the row to insert. */
export function couponTerms(input: CreateCouponArgs) {
  const code = normalizeCouponCode(input.code);
  const percentOff = input.percentOff ?? null;
  const amountOff = input.amountOff ?? null;
  if ((percentOff === null) === (amountOff === null))
    throw new BadUserInputError('Give exactly one of "percentOff" and "amountOff".', 'percentOff');
  if (percentOff !== null && (!Number.isInteger(percentOff) || percentOff < 1 || percentOff > 100)) {
    throw new BadUserInputError('"percentOff" must be from 1 to 100.', 'percentOff');
  }
  if (amountOff !== null) validateAmount(amountOff, 'amountOff', 1);
  const currency = amountOff !== null ? validateCurrency(input.currency ?? 'EUR', 'currency') : null;
  const validFrom = input.validFrom ?? new Date();
  const validUntil = input.validUntil ?? null;
  if (validUntil && validUntil <= validFrom)
    throw new BadUserInputError('"validUntil" must be after "validFrom".', 'validUntil');
  const usageLimit = input.usageLimit ?? null;
  if (usageLimit !== null && (!Number.isInteger(usageLimit) || usageLimit < 0))
    throw new BadUserInputError('"usageLimit" must be 0 or more.', 'usageLimit');
  return { code, percentOff, amountOff, currency, validFrom, validUntil, usageLimit };
}

export async function insertCoupon(em: EntityManager, input: CreateCouponArgs): Promise<string> {
  const terms = couponTerms(input);
  try {
    const row = await queryOne<{ code: string }>(
      em,
      `insert into coupon (code, percent_off, amount_off, currency, valid_from, valid_until, usage_limit) values (?, ?, ?, ?, ?, ?, ?) returning code`,
      [
        terms.code,
        terms.percentOff,
        terms.amountOff,
        terms.currency,
        terms.validFrom,
        terms.validUntil,
        terms.usageLimit,
      ],
    );
    return row!.code;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`Coupon ${terms.code} already exists.`);
    throw err;
  }
}
