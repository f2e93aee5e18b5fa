import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql/index.js';
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { GatewayContext } from '../http/context.js';
import { createMetrics } from '../observability/metrics.js';
import { createOperationLimitsPlugin } from './operation-limits.plugin.js';
import { MeasurementCache } from './cache.js';
import { measureOperation } from './measure.js';

const SDL = `
  type Query { products(first: Int = 20, after: String): ProductConnection! product(id: ID!): Product tags: [String!]! }
  type ProductConnection { edges: [ProductEdge!]! totalCount: Int! }
  type ProductEdge { node: Product! }
  type Product { id: ID! name: String! images(limit: Int): [Image!]! related: [Product!]! }
  type Image { url: String! }
`;
const schema = buildSchema(SDL);

const DOCUMENTS = {
  fixed:
    '{ a: product(id: "1") { ...P } tags } fragment P on Product { related { x: name related { id } } images(limit: 4) { url } }',
  sized:
    'query Page($n: Int = 5, $m: Int, $unused: String) { products(first: $n) { edges { node { images(limit: $m) { url } related { id } } } } }',
  twoOps:
    'query A($n: Int) { products(first: $n) { totalCount } } query B { product(id: "1") { related { id } } }',
};
const VARIABLE_SETS: Record<string, unknown>[] = [
  {},
  { n: 50 },
  { n: 2, m: 3 },
  { n: null },
  { n: '7' },
  { n: -3 },
  { n: 2.5 },
  { n: 50, unused: 'x'.repeat(10) },
  { m: 100 },
];

function operationOf(document: DocumentNode, name?: string): OperationDefinitionNode {
  return document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === 'OperationDefinition' && (name === undefined || d.name?.value === name),
  )!;
}

describe('MeasurementCache', () => {
  it('returns exactly what measureOperation returns, for every document, operation and variables, in any order', () => {
    const cache = new MeasurementCache(10);
    const cases = Object.entries(DOCUMENTS).flatMap(([key, text]) =>
      (key === 'twoOps' ? ['A', 'B'] : [undefined]).flatMap((name) =>
        VARIABLE_SETS.map((variables) => ({ key, text, name, variables })),
      ),
    );
    // Twice over, the second pass backwards: first fills, then every lookup is a hit in another order.
    for (const round of [cases, [...cases].reverse()]) {
      for (const { key, text, name, variables } of round) {
        const document = parse(text);
        const operation = operationOf(document, name);
        expect(
          cache.measure(schema, document, operation, variables, key),
          `${key} ${name ?? ''} ${JSON.stringify(variables)}`,
        ).toEqual(measureOperation(schema, document, operation, variables, 10));
      }
    }
  });

  it('reuses the measure of an operation whose cost reads no variable, and keys a variable-dependent cost by those variables', () => {
    const cache = new MeasurementCache(10);
    const fixed = parse(DOCUMENTS.fixed);
    const first = cache.measure(schema, fixed, operationOf(fixed), {}, 'fixed');
    expect(cache.measure(schema, parse(DOCUMENTS.fixed), operationOf(fixed), { any: 1 }, 'fixed')).toBe(
      first,
    );

    const sized = parse(DOCUMENTS.sized);
    const operation = operationOf(sized);
    const cost = (variables: Record<string, unknown>) =>
      cache.measure(schema, sized, operation, variables, 'sized').cost;
    // products 1 + n edges + n nodes + n*m images + n*(10 related)
    expect(cost({ n: 50, m: 3 })).toBe(1 + 50 + 50 + 150 + 500);
    expect(cost({ n: 2, m: 3 })).toBe(1 + 2 + 2 + 6 + 20);
    expect(cost({ m: 3 })).toBe(1 + 5 + 5 + 15 + 50); // the variable's default
    expect(cost({ n: 50, m: 3 })).toBe(1 + 50 + 50 + 150 + 500);
    // A variable the cost does not read does not split the cache.
    expect(cache.measure(schema, sized, operation, { n: 2, m: 3, unused: 'a' }, 'sized')).toBe(
      cache.measure(schema, sized, operation, { n: 2, m: 3, unused: 'b' }, 'sized'),
    );
  });

  it('starts afresh for a new schema (a reloaded supergraph), whose defaults may differ', () => {
    const cache = new MeasurementCache(10);
    const document = parse('{ products { edges { node { id } } } }');
    expect(cache.measure(schema, document, operationOf(document), {}, 'q').cost).toBe(1 + 20 + 20);
    const reloaded = buildSchema(SDL.replace('first: Int = 20', 'first: Int = 3'));
    expect(cache.measure(reloaded, document, operationOf(document), {}, 'q').cost).toBe(1 + 3 + 3);
  });
});

describe('the operation limits plugin, cached', () => {
  const limits = { depth: 12, aliases: 30, rootFields: 10, tokens: 2_000, cost: 100, defaultListSize: 10 };

  async function verdict(
    plugin: ReturnType<typeof createOperationLimitsPlugin>,
    query: string,
    variables: Record<string, unknown>,
    queryHash?: string,
  ) {
    const document = parse(query);
    const context = {
      schema,
      document,
      operation: operationOf(document),
      source: query,
      queryHash,
      request: { query, variables },
    } as unknown as GraphQLRequestContextDidResolveOperation<GatewayContext>;
    const listener = await plugin.requestDidStart!(context);
    try {
      await listener!.didResolveOperation!(context);
      return 'allowed';
    } catch (err) {
      return (err as { extensions: Record<string, unknown> }).extensions;
    }
  }

  it('gives the same verdict as before on every request: a variable-dependent cost is refused or allowed by its variables', async () => {
    const plugin = createOperationLimitsPlugin(limits, createMetrics());
    const query = 'query Page($n: Int) { products(first: $n) { edges { node { id } } } }';
    for (const queryHash of ['hash-of-page', undefined]) {
      expect(await verdict(plugin, query, { n: 10 }, queryHash)).toBe('allowed');
      expect(await verdict(plugin, query, { n: 500 }, queryHash)).toMatchObject({
        code: 'OPERATION_LIMIT_EXCEEDED',
        reason: 'cost',
        limit: 100,
        actual: 1001,
      });
      expect(await verdict(plugin, query, { n: 10 }, queryHash)).toBe('allowed');
      expect(await verdict(plugin, query, { n: 49 }, queryHash)).toBe('allowed');
      expect(await verdict(plugin, query, { n: 50 }, queryHash)).toMatchObject({
        reason: 'cost',
        actual: 101,
      });
    }
    // A fixed over-limit operation is refused every time.
    const deep = '{ product(id: "1") { related { related { id } } } }';
    expect(await verdict(plugin, deep, {})).toMatchObject({ reason: 'cost', actual: 111 });
    expect(await verdict(plugin, deep, {})).toMatchObject({ reason: 'cost', actual: 111 });
  });
});
