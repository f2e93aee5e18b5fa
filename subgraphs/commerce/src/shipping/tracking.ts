import { BadUserInputError } from '@terrarium/platform/errors';

/** A carrier's name: letters (any script), digits, spaces and `.&'-`, 2 to 50 characters (DHL, La Poste, UPS). */
const CARRIER = /^[\p{L}\p{N}][\p{L}\p{N} .&'-]{1,49}$/u;
/** Tracking numbers: 4 to 40 ASCII letters, digits and dashes (1Z999AA10123456784, JJD0099999999). */
const TRACKING_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{3,39}$/;

export interface Tracking {
  carrier: string;
  trackingNumber: string;
}

/** Both values trimmed, then checked (BAD_USER_INPUT naming the argument); the number is stored upper case. */
export function validateTracking(carrier: string, trackingNumber: string): Tracking {
  const name = carrier.trim();
  if (!CARRIER.test(name)) {
    throw new BadUserInputError(
      `"carrier" must be 2 to 50 letters, digits, spaces or . & ' -, got "${carrier}".`,
      'carrier',
    );
  }
  const number = trackingNumber.trim();
  if (!TRACKING_NUMBER.test(number)) {
    throw new BadUserInputError(
      `"trackingNumber" must be 4 to 40 letters, digits or dashes, got "${trackingNumber}".`,
      'trackingNumber',
    );
  }
  return { carrier: name, trackingNumber: number.toUpperCase() };
}
