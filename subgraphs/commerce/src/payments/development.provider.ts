import { createHash } from 'node:crypto';
import type { PaymentIntent, PaymentProvider, PaymentResult } from './provider.js';

/**
 * The provider for development and tests: no network, no state. An intent's id is derived from
 * its reference (so createIntent is idempotent the way a real provider's idempotency key makes
 * it), and every intent it issued confirms as succeeded.
 */
export function createDevelopmentPaymentProvider(): PaymentProvider {
  const PREFIX = 'dev_pi_';
  return {
    name: 'development',
    async createIntent({ reference }): Promise<PaymentIntent> {
      return { id: `${PREFIX}${createHash('sha256').update(reference).digest('hex').slice(0, 24)}` };
    },
    async confirm(intentId): Promise<PaymentResult> {
      return intentId.startsWith(PREFIX) ? { status: 'succeeded' } : { status: 'failed', reason: 'unknown payment intent' };
    },
  };
}
