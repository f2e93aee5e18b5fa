export { createApqCache, type ApqCache } from './apq-cache.js';
export { cacheControlFor, type CacheFacts, type CachePolicy } from './cache-policy.js';
export { createEmbedRoute, EMBED_SCRIPT_PATH } from './embed-route.js';
export { normalizeId, parseManifest, sha256Hex, type PersistedOperation } from './manifest.js';
export {
  decidePersisted,
  PERSISTED_QUERY_NOT_FOUND,
  PERSISTED_QUERY_NOT_IN_LIST,
  type PersistedDecision,
  type PersistedParams,
  type PartnerBinding,
} from './resolve.js';
export { createPersistedStore, type PersistedStore } from './store.js';
