import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { GatewayContext } from '../http/context.js';
import { ErrorCode, refusal } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { decidePersisted, PERSISTED_QUERY_NOT_IN_LIST } from './resolve.js';
import type { PersistedStore } from './store.js';

/**
 * Stands in for a refused request's document. Apollo Server gives plugins no way to answer from
 * requestDidStart (a throw there is a 500), and the earliest clean refusal is didResolveOperation;
 * this document parses and validates against any schema for next to nothing, and is refused there,
 * before planning, so no subgraph is called.
 */
const REFUSED_DOCUMENT = '{ __typename }';

export interface PersistedQueriesPluginOptions {
  store: PersistedStore;
  /** The manifest partner keys are bound to. */
  partnerManifest: string;
  metrics: GatewayMetrics;
}

/** `documentId` of a POST body or a GET query string (Apollo Server reads neither). */
function documentIdOf(http: GraphQLRequest['http']): unknown {
  if (!http) return undefined;
  if (http.method === 'GET') return new URLSearchParams(http.search).get('documentId') ?? undefined;
  const body = http.body;
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)['documentId']
    : undefined;
}

/**
 * Trusted documents and the partner binding. Runs first in each request: a request naming a
 * manifest operation by `extensions.persistedQuery.sha256Hash` or `documentId` gets the manifest's
 * body (and no APQ registration); a partner key's request that is not one of its granted operations
 * by id is refused with PERSISTED_QUERY_NOT_IN_LIST; anything else goes on to Apollo Server, whose
 * APQ (when enabled) registers and looks up hashes and refuses a hash that does not match its query.
 */
export function createPersistedQueriesPlugin({
  store,
  partnerManifest,
  metrics,
}: PersistedQueriesPluginOptions): ApolloServerPlugin<GatewayContext> {
  const lookUp = (id: string) => store.get(id);
  return {
    async requestDidStart({ request, contextValue }) {
      const persistedQuery = request.extensions?.['persistedQuery'] as
        { sha256Hash?: unknown; version?: unknown } | null | undefined;
      // Only APQ version 1 exists; Apollo Server's APQ would execute any other as if it were 1.
      if (persistedQuery && persistedQuery.version !== 1) {
        const { persistedQuery: _unsupported, ...rest } = request.extensions ?? {};
        request.extensions = rest;
        request.query = REFUSED_DOCUMENT;
        request.operationName = undefined;
        metrics.refusals.inc({ reason: 'persisted_query' });
        return {
          async didResolveOperation() {
            throw refusal(
              'Only persisted-query version 1 is supported.',
              ErrorCode.PERSISTED_QUERY_VERSION_NOT_SUPPORTED,
              400,
            );
          },
        };
      }
      const decision = decidePersisted(
        {
          sha256Hash: persistedQuery?.sha256Hash,
          documentId: documentIdOf(request.http),
          query: request.query,
        },
        contextValue.apiClient,
        { partnerManifest, lookUp },
      );
      if (decision.kind === 'pass') return;

      // Apollo's APQ must neither look this id up nor register it: the manifest is the source.
      const { persistedQuery: _dropped, ...extensions } = request.extensions ?? {};
      request.extensions = extensions;
      if (decision.kind === 'run') {
        request.query = decision.operation.body;
        return;
      }
      request.query = REFUSED_DOCUMENT;
      request.operationName = undefined;
      metrics.refusals.inc({
        reason: decision.code === PERSISTED_QUERY_NOT_IN_LIST ? 'persisted_not_in_list' : 'persisted_query',
      });
      return {
        async didResolveOperation() {
          throw refusal(decision.message, decision.code, decision.status);
        },
      };
    },
  };
}
