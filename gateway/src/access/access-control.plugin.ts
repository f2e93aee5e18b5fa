import type { ApolloServerPlugin } from '@apollo/server';
import { checkAccess } from './check.js';
import type { AccessControl } from './control.js';
import type { GatewayContext } from '../http/context.js';
import { refusal } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { ErrorCode } from '../errors.js';

/**
 * Enforces the subgraphs' @access declarations before execution: an operation touching a field
 * the caller may not read is refused whole (401 anonymous, 403 otherwise) and no subgraph is
 * called. Subgraphs still check ownership (whose order, whose cart) themselves.
 */
export function createAccessControlPlugin(
  access: AccessControl,
  metrics: GatewayMetrics,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          if (!operation) return;
          const denial = checkAccess(contextValue.caller, access.requirements(schema, document, operation));
          if (!denial) return;
          metrics.refusals.inc({
            reason: denial.code === ErrorCode.UNAUTHENTICATED ? 'unauthenticated' : 'forbidden',
          });
          throw refusal(denial.message, denial.code, denial.status);
        },
      };
    },
  };
}
