import { loadSubgraphConfig, type Subgraph, type SubgraphConfig } from '@terrarium/kit';

/**
 * The real inventory and community subgraphs, started in-process from their packages' sources
 * (tests only: media's src never imports another subgraph). Loaded by path so that media's
 * typecheck does not compile their sources. They listen on ephemeral ports, seeded with the demo
 * data, and media reaches them over real HTTP through the kit's service client, as in production.
 */
type Factory = (config: SubgraphConfig) => Promise<Subgraph<unknown>>;

const SIBLINGS = {
  inventory: 'createInventorySubgraph',
  community: 'createCommunitySubgraph',
} as const;

export type Sibling = keyof typeof SIBLINGS;

export interface RunningSibling {
  subgraph: Subgraph<unknown>;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
}

export async function startSibling(name: Sibling, schema: string): Promise<RunningSibling> {
  const module = (await import(new URL(`../../${name}/src/subgraph.ts`, import.meta.url).href)) as Record<string, Factory>;
  const create = module[SIBLINGS[name]]!;
  const prefix = name.toUpperCase();
  const env: NodeJS.ProcessEnv = { ...process.env, [`${prefix}_DATABASE_SCHEMA`]: schema, [`${prefix}_PORT`]: '0', SEED_DEMO: 'true' };
  const subgraph = await create(loadSubgraphConfig(name, env));
  return { subgraph, url: await subgraph.listen(0) };
}
