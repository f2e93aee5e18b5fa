import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import {
  startSiblingSubgraph,
  type RunningSibling,
  type SubgraphFactory,
} from '@terrarium/subgraph-kit/testing';
import { createProductsSubgraph } from '@terrarium/products';
import { createInventorySubgraph } from '@terrarium/inventory';

/**
 * The real products and inventory subgraphs, started in-process from their packages (imported by name)
 * (tests only: src never imports another subgraph). They listen on ephemeral ports; commerce reaches them
 * over real HTTP, as in production.
 */
export type Sibling = 'products' | 'inventory';
export type { RunningSibling };

/** Each sibling's factory, from its package (a devDependency of this one, never a runtime one). */
const FACTORIES: Record<Sibling, SubgraphFactory> = {
  products: createProductsSubgraph,
  inventory: createInventorySubgraph,
};

export const startSibling = (name: Sibling, schema: string): Promise<RunningSibling> =>
  startSiblingSubgraph(name, FACTORIES[name], schema);

/** GraphQL operations the sibling has answered so far (from its Prometheus histogram). */
export async function operationsServed(sibling: RunningSibling): Promise<number> {
  const metric = await sibling.subgraph.metrics.operations.get();
  return metric.values
    .filter((value) => value.metricName === 'graphql_operation_duration_seconds_count')
    .reduce((sum, value) => sum + value.value, 0);
}

/** Runs an operation on a sibling (in-process, as `caller`) and returns its data; throws on errors. */
export async function siblingData<T>(
  sibling: RunningSibling,
  query: string,
  variables: Record<string, unknown>,
  caller: Caller = ANONYMOUS,
): Promise<T> {
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
  const data = await siblingData<{ animal: { status: string } }>(
    inventory,
    'query($id: ID!) { animal(id: $id) { status } }',
    { id: animalId },
  );
  return data.animal.status;
}
