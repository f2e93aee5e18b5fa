import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql/index.js';
import { measureOperation } from './measure.js';

const schema = buildSchema(`
  type Query { products(first: Int = 20, after: String): ProductConnection! product(id: ID!): Product tags: [String!]! node: Node }
  interface Node { id: ID! }
  type ProductConnection { edges: [ProductEdge!]! totalCount: Int! }
  type ProductEdge { node: Product! }
  type Product implements Node { id: ID! name: String! images(limit: Int): [Image!]! related: [Product!]! }
  type Image { url: String! }
`);

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return measureOperation(schema, document, operation, variables, 10);
}

describe('measureOperation', () => {
  it('counts depth, aliases and root fields through fragments', () => {
    const measured = measure(`
      query { a: product(id: "1") { ...P } b: product(id: "2") { id } tags __typename }
      fragment P on Product { related { x: name related { id } } }
    `);
    expect(measured).toMatchObject({ depth: 4, aliases: 3, rootFields: 3 });
  });

  it('multiplies a connection by first (variables, then the variable default, then the argument default) and does not count edges twice', () => {
    const query =
      'query($n: Int = 5) { products(first: $n) { edges { node { images(limit: 3) { url } } } } }';
    // products 1 + n edges + n nodes + n*3 images
    expect(measure(query, { n: 50 }).cost).toBe(1 + 50 + 50 + 150);
    expect(measure(query).cost).toBe(1 + 5 + 5 + 15);
    expect(measure('{ products { edges { node { id } } } }').cost).toBe(1 + 20 + 20);
  });

  it('uses the default list size for lists without a size argument, and nested lists multiply', () => {
    expect(measure('{ product(id: "1") { related { related { id } } } }').cost).toBe(1 + 10 + 100);
  });

  it('measures each fragment once however often it is spread (no exponential walk)', () => {
    const levels = 40;
    let document = 'query { product(id: "1") { ...F0 } }\n';
    for (let i = 0; i < levels; i += 1)
      document += `fragment F${i} on Product { id ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : ''} }\n`;
    const started = performance.now();
    expect(measure(document).depth).toBe(2);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
