import { ANONYMOUS } from '@terrarium/platform/caller';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql/index.js';
import { visitSelectedFields } from '../access/check.js';
import type { AccessPolicy } from '../access/policy.js';
import type { CacheScopes } from '../supergraph/cache-scopes.js';
import type { Identity } from './identity.js';

/**
 * Who a stream shared across callers subscribes and resolves its events as: nobody in particular.
 * It never expires; each subscriber's own token still does (Subscriber).
 */
export const SHARED_IDENTITY: Identity = Object.freeze({
  caller: ANONYMOUS,
  apiClient: null,
  expiresAt: null,
  issuedAt: null,
});

/**
 * Whether one upstream subscription and one resolution per event are right for every caller
 * allowed to run this subscription, so that its stream may be shared across callers. Only when:
 *
 * - each subscription field selected is declared `@cacheControl(scope: PUBLIC)` by its subgraph.
 *   Public is the default of cache hints, but not of subscriptions: a subgraph may authorize a
 *   subscription per caller when it starts (commerce's orderStatusChanged admits the buyer and
 *   staff only), and a stream subscribed as nobody in particular would bypass that. The owner
 *   opts in, saying every caller may listen and gets the same events;
 * - no field selected, on any type that may answer it, nor the type it returns, is under @access
 *   or declared `@cacheControl(scope: PRIVATE)`: those answer per caller.
 *
 * Every subscriber is still identified, limited and checked against @access when it subscribes;
 * what is shared is the data, which then comes from the subgraphs as an anonymous caller sees it.
 */
export function isShareable(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  access: AccessPolicy,
  scopes: CacheScopes,
): boolean {
  const root = schema.getSubscriptionType();
  if (operation.operation !== 'subscription' || !root) return false;
  let shareable = true;
  const personal = (coordinate: string) => access.has(coordinate) || scopes.get(coordinate) === 'PRIVATE';
  visitSelectedFields(schema, document, operation, (answering, field, fieldType) => {
    const coordinate = `${answering.name}.${field}`;
    if (answering === root && scopes.get(coordinate) !== 'PUBLIC') shareable = false;
    if (personal(answering.name) || personal(coordinate) || personal(fieldType.name)) shareable = false;
  });
  return shareable;
}
