import {
  startSiblingSubgraph,
  type RunningSibling,
  type SubgraphFactory,
} from '@terrarium/subgraph-kit/testing';
import { createInventorySubgraph } from '@terrarium/inventory';
import { createCommunitySubgraph } from '@terrarium/community';
import { createOpsSubgraph } from '@terrarium/ops';

/**
 * The real inventory, community and ops subgraphs, started in-process from their packages (imported by name)
 * (tests only: media's src never imports another subgraph). They listen on ephemeral ports, seeded with the demo
 * data, and media reaches them over real HTTP through the kit's service client, as in production.
 */
export type Sibling = 'inventory' | 'community' | 'ops';
export type { RunningSibling };

/** Each sibling's factory, from its package (a devDependency of this one, never a runtime one). */
const FACTORIES: Record<Sibling, SubgraphFactory> = {
  inventory: createInventorySubgraph,
  community: createCommunitySubgraph,
  ops: createOpsSubgraph,
};

export const startSibling = (name: Sibling, schema: string): Promise<RunningSibling> =>
  startSiblingSubgraph(name, FACTORIES[name], schema);
