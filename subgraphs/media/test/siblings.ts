import { startSiblingSubgraph, type RunningSibling } from '@terrarium/kit/testing';

/**
 * The real inventory and community subgraphs, started in-process from their packages' sources
 * (tests only: media's src never imports another subgraph). Loaded by path so that media's
 * typecheck does not compile their sources. They listen on ephemeral ports, seeded with the demo
 * data, and media reaches them over real HTTP through the kit's service client, as in production.
 */
export type Sibling = 'inventory' | 'community';
export type { RunningSibling };

export const startSibling = (name: Sibling, schema: string): Promise<RunningSibling> => startSiblingSubgraph(name, schema);
