import { randomBytes } from 'node:crypto';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import {
  startSiblingSubgraph,
  type RunningSibling,
  type SubgraphFactory,
} from '@terrarium/subgraph-kit/testing';
import { createProductsSubgraph } from '@terrarium/products';
import { createOpsSubgraph } from '@terrarium/ops';

/**
 * The real products and ops subgraphs (the owners of what community reviews and follows), started
 * in-process from their packages' sources (tests only: community's src never imports another
 * subgraph). They
 * listen on ephemeral ports, seeded with the demo data; community reaches them over real HTTP
 * through the kit's service client, as in production.
 */
export type Sibling = 'products' | 'ops';
export type { RunningSibling };

/** Each sibling's factory, from its package (a devDependency of this one, never a runtime one). */
const FACTORIES: Record<Sibling, SubgraphFactory> = {
  products: createProductsSubgraph,
  ops: createOpsSubgraph,
};

export const startSibling = (name: Sibling, schema: string): Promise<RunningSibling> =>
  startSiblingSubgraph(name, FACTORIES[name], schema);

const ADMIN: Caller = { ...ANONYMOUS, userId: seedId('user:admin@terrarium.test'), roles: ['STAFF'] };

/** Runs an operation on a sibling (in-process, as staff) and returns its data; throws on errors. */
async function siblingData<T>(
  sibling: RunningSibling,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await sibling.subgraph.execute({ query, variables }, ADMIN);
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  const { data, errors } = response.body.singleResult;
  if (errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(errors)}`);
  return data as T;
}

/** The owners community asks, with helpers that create fresh subjects through their real APIs. */
export interface Owners {
  products: RunningSibling;
  ops: RunningSibling;
  /** Service URLs for community's config. */
  env: { PRODUCTS_URL: string; OPS_URL: string };
  /** A new product (staff's createProduct), so that its rating starts empty. */
  newProduct(): Promise<string>;
  /** A new organization (staff's createOrganization). */
  newOrganization(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts products and ops in schemas `<prefix>_products` and `<prefix>_ops`. */
export async function startOwners(prefix: string): Promise<Owners> {
  const [products, ops] = await Promise.all([
    startSibling('products', `${prefix}_products`),
    startSibling('ops', `${prefix}_ops`),
  ]);
  return {
    products,
    ops,
    env: { PRODUCTS_URL: products.url, OPS_URL: ops.url },
    async newProduct() {
      const tag = randomBytes(5).toString('hex').toUpperCase();
      const data = await siblingData<{ createProduct: { id: string } }>(
        products,
        'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        {
          input: {
            sku: `TEST-${tag}`,
            name: `Test product ${tag}`,
            description: 'Made for a community test.',
            price: { amount: 999, currency: 'EUR' },
          },
        },
      );
      return data.createProduct.id;
    },
    async newOrganization() {
      const tag = randomBytes(5).toString('hex');
      const data = await siblingData<{ createOrganization: { id: string } }>(
        ops,
        'mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }',
        { input: { name: `Test breeder ${tag}`, slug: `test-breeder-${tag}` } },
      );
      return data.createOrganization.id;
    },
    async stop() {
      await Promise.all([products.subgraph.stop(), ops.subgraph.stop()]);
    },
  };
}
