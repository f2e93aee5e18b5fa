import { buildSchema, parse } from '../src/graphql.js';
import { describe, expect, it } from 'vitest';
import { collectUsage, usesCoordinate } from '../src/operations.js';

const schema = buildSchema(`
  type Query { product(id: ID!): Product  search(filter: Filter, first: Int): [Product!]! }
  type Mutation { review(input: ReviewInput!): Review }
  type Product { id: ID! name: String! price: Money! kind: Kind }
  type Money { amount: Int! currency: String! }
  type Review { id: ID! }
  enum Kind { A B }
  input Filter { kind: Kind, nameLike: String }
  input ReviewInput { rating: Int!, body: String!, tags: [Kind!] }
`);

describe('collectUsage', () => {
  it('collects fields, the types they return, arguments, input fields and enum literals', () => {
    const used = collectUsage(
      schema,
      parse(`
      query Q($id: ID!) {
        product(id: $id) { id ...F __typename }
        search(filter: { kind: B }, first: 3) { name }
      }
      fragment F on Product { price { amount } }
    `),
    );
    expect([...used].sort()).toEqual([
      'Filter',
      'Filter.kind',
      'ID',
      'Int',
      'Kind',
      'Kind.B',
      'Money',
      'Money.amount',
      'Product',
      'Product.id',
      'Product.name',
      'Product.price',
      'Query.product',
      'Query.product(id:)',
      'Query.search',
      'Query.search(filter:)',
      'Query.search(first:)',
      'String',
    ]);
  });

  it('counts every input field and enum value a variable can carry', () => {
    const used = collectUsage(
      schema,
      parse('mutation M($input: ReviewInput!) { review(input: $input) { id } }'),
    );
    for (const coordinate of [
      'ReviewInput.rating',
      'ReviewInput.body',
      'ReviewInput.tags',
      'Kind.A',
      'Kind.B',
    ]) {
      expect(used.has(coordinate)).toBe(true);
    }
    expect(used.has('Product.name')).toBe(false);
  });

  it('matches a coordinate or anything beneath it, never a longer name', () => {
    const used = new Set(['Product.price', 'Query.search(first:)']);
    expect(usesCoordinate(used, 'Product')).toBe(true);
    expect(usesCoordinate(used, 'Query.search')).toBe(true);
    expect(usesCoordinate(used, 'Product.pri')).toBe(false);
    expect(usesCoordinate(used, 'Prod')).toBe(false);
  });
});
