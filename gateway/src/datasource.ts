import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CALLER_HEADER } from '@terrarium/kit/caller';
import type { GatewayContext } from './context.js';

/**
 * A subgraph fetch: forwards the signed caller and the request id. The user's own Authorization
 * header is never forwarded; subgraphs trust only the gateway's signature.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !('requestId' in context)) return;
    if (context.callerToken) headers.set(CALLER_HEADER, context.callerToken);
    headers.set('x-request-id', context.requestId);
  }
}
