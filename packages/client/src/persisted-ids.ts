import { PersistedOperationIds as adminIds } from './generated/admin/persisted-ids.js';
import { PersistedOperationIds as breederIds } from './generated/breeder/persisted-ids.js';
import { PersistedOperationIds as partnerEmbedIds } from './generated/partner-embed/persisted-ids.js';
import { PersistedOperationIds as storefrontIds } from './generated/storefront/persisted-ids.js';

/**
 * Every contract operation's persisted id (SHA-256 of its manifest body), by operation name, over
 * the four clients; names are unique across schema/operations. The gateway runs any of them by
 * id alone for a first-party caller (a partner key: only its granted partner-embed ones).
 */
export const persistedOperationIds: Readonly<Record<string, string>> = Object.freeze({
  ...storefrontIds,
  ...breederIds,
  ...adminIds,
  ...partnerEmbedIds,
});

export { adminIds, breederIds, partnerEmbedIds, storefrontIds };
