// @ts-check
/** A plan's subgraph fetches, recorded through an in-process Apollo Gateway and replayed straight to the subgraphs. */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { CALLER_HEADER } from '@terrarium/platform/caller';

/**
 * @typedef {{ serviceName: string, body: string }} RecordedFetch
 * @typedef {{ kind: string, nodes?: PlanNode[], node?: PlanNode, serviceName?: string, operation?: string, ifClause?: PlanNode }} PlanNode
 */

/**
 * Runs each operation once through an in-process Apollo Gateway on the same supergraph and
 * records its query plan and the requests it sent to each subgraph.
 * @param {string} supergraphSdl
 * @param {string} callerToken
 * @param {{ name: string, query: string, variables: Record<string, unknown> }[]} operations
 */
export async function recordPlans(supergraphSdl, callerToken, operations) {
  /** @type {PlanNode | null} */
  let plan;
  /** @type {RecordedFetch[]} */
  let fetches = [];
  class RecordingDataSource extends RemoteGraphQLDataSource {
    /** @param {string} serviceName @param {string} url */
    constructor(serviceName, url) {
      super({ url });
      this.serviceName = serviceName;
    }
    /** @param {any} options */
    willSendRequest(options) {
      options.request.http?.headers.set(CALLER_HEADER, callerToken);
      const { query, variables, operationName } = options.request;
      fetches.push({
        serviceName: this.serviceName,
        body: JSON.stringify({ query, variables, operationName }),
      });
    }
  }
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new RecordingDataSource(name, url ?? ''),
    experimental_didResolveQueryPlan: ({ queryPlan }) => {
      plan = /** @type {PlanNode} */ (/** @type {unknown} */ (queryPlan.node));
    },
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  const recorded = [];
  try {
    for (const operation of operations) {
      plan = null;
      fetches = [];
      const response = await server.executeOperation({
        query: operation.query,
        variables: operation.variables,
      });
      const result = response.body.kind === 'single' ? response.body.singleResult : null;
      if (!result || result.errors?.length || !plan)
        throw new Error(
          `${operation.name} failed while recording its plan: ${JSON.stringify(result?.errors)}`,
        );
      recorded.push({ ...operation, plan, fetches, responseBytes: JSON.stringify(result.data).length });
    }
  } finally {
    await server.stop();
  }
  return recorded;
}

/**
 * Replays a plan's recorded fetches straight to the subgraphs, in the plan's order.
 * @param {PlanNode | undefined} node
 * @param {Map<string, RecordedFetch[]>} byFetch  recorded requests by "service\noperation"
 * @param {(fetch: RecordedFetch) => Promise<boolean>} send
 * @returns {Promise<boolean>}
 */
export async function replay(node, byFetch, send) {
  if (!node) return true;
  switch (node.kind) {
    case 'Sequence': {
      for (const child of node.nodes ?? []) if (!(await replay(child, byFetch, send))) return false;
      return true;
    }
    case 'Parallel':
      return (await Promise.all((node.nodes ?? []).map((child) => replay(child, byFetch, send)))).every(
        Boolean,
      );
    case 'Flatten':
      return replay(node.node, byFetch, send);
    case 'Condition':
      return replay(node.ifClause, byFetch, send);
    case 'Fetch': {
      const fetch = byFetch.get(`${node.serviceName}\n${node.operation}`)?.[0];
      if (!fetch) throw new Error(`no recorded request for a fetch from ${node.serviceName}`);
      return send(fetch);
    }
    default:
      throw new Error(`plan node ${node.kind} is not supported by the bench`);
  }
}
