import { ANONYMOUS, loadSubgraphConfig, type Caller, type Subgraph, type SubgraphConfig } from '@terrarium/kit';

/**
 * The real products and inventory subgraphs, started in-process from their packages' sources
 * (tests only: src never imports another subgraph). Loaded by path so that commerce's
 * typecheck does not compile their sources. They listen on ephemeral ports; commerce reaches them
 * over real HTTP, as in production.
 */
type Factory = (config: SubgraphConfig) => Promise<Subgraph<unknown>>;

const SIBLINGS = {
  products: 'createProductsSubgraph',
  inventory: 'createInventorySubgraph',
} as const;

export type Sibling = keyof typeof SIBLINGS;

export interface RunningSibling {
  subgraph: Subgraph<unknown>;
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

/** GraphQL operations the sibling has answered so far (from its Prometheus histogram). */
export async function operationsServed(sibling: RunningSibling): Promise<number> {
  const metric = await sibling.subgraph.metrics.operations.get();
  return metric.values.filter((value) => value.metricName === 'graphql_operation_duration_seconds_count').reduce((sum, value) => sum + value.value, 0);
}

/** Runs an operation on a sibling (in-process, as `caller`) and returns its data; throws on errors. */
export async function siblingData<T>(sibling: RunningSibling, query: string, variables: Record<string, unknown>, caller: Caller = ANONYMOUS): Promise<T> {
  const response = await sibling.subgraph.execute({ query, variables }, caller);
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  const { data, errors } = response.body.singleResult;
  if (errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(errors)}`);
  return data as T;
}

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export async function stockOf(inventory: RunningSibling, productId: string): Promise<StockLevel> {
  const data = await siblingData<{ _entities: { stock: StockLevel }[] }>(
    inventory,
    'query($id: ID!) { _entities(representations: [{ __typename: "Product", id: $id }]) { ... on Product { stock { onHand reserved available } } } }',
    { id: productId },
  );
  return data._entities[0]!.stock;
}

export async function animalStatus(inventory: RunningSibling, animalId: string): Promise<string> {
  const data = await siblingData<{ animal: { status: string } }>(inventory, 'query($id: ID!) { animal(id: $id) { status } }', { id: animalId });
  return data.animal.status;
}
