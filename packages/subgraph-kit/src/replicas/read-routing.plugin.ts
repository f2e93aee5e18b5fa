import type { ApolloServerPlugin } from '@apollo/server';
import type { SubgraphContext } from '../context.js';
import type { ReadYourWrites } from './read-your-writes.js';

export interface ReadRoutingPluginOptions {
  readYourWrites: ReadYourWrites;
}

/** Sends a query's lag-tolerant reads to a replica when its caller may read one. */
export async function routeQueryReads(
  readYourWrites: ReadYourWrites,
  context: SubgraphContext<unknown>,
): Promise<void> {
  if (await readYourWrites.mayReadReplica(context.caller)) context.reads.connectionType = 'read';
}

/**
 * Decides each operation's ReadRoute once Apollo knows the operation: a query whose caller may read
 * a replica gets `read`; everything else keeps `write`. After a mutation (whatever its outcome: a
 * failed one may have written part of its work) the caller is remembered before the response
 * leaves, so that no read the caller sends after seeing it can reach a replica without the write.
 * Installed only when the subgraph has replicas: without them nothing here runs.
 */
export function createReadRoutingPlugin<TContext extends SubgraphContext<unknown>>(
  options: ReadRoutingPluginOptions,
): ApolloServerPlugin<TContext> {
  const { readYourWrites } = options;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'query') await routeQueryReads(readYourWrites, contextValue);
        },
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation === 'mutation') await readYourWrites.recordWrite(contextValue.caller);
        },
      };
    },
  };
}
