/**
 * @terrarium/client: the Terrarium graph for TypeScript apps.
 *   import { createTerrariumClient, persistedOperationIds } from '@terrarium/client';
 *   import { ProductPageDocument } from '@terrarium/client/storefront';   // typed documents
 */
export { createTerrariumClient, type TerrariumClient, type TerrariumClientOptions } from './create-client.js';
export {
  adminIds,
  breederIds,
  partnerEmbedIds,
  persistedOperationIds,
  storefrontIds,
} from './persisted-ids.js';
