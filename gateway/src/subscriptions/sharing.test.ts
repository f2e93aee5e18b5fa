import { readFileSync } from 'node:fs';
import {
  Kind,
  buildASTSchema,
  parse,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql/index.js';
import { Supergraph } from '@apollo/federation-internals';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAccessPolicy } from '../access/policy.js';
import { readCacheScopes } from '../supergraph/cache-scopes.js';
import { isShareable } from './sharing.js';

const SUPERGRAPH = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');
let schema: GraphQLSchema;

beforeAll(() => {
  schema = Supergraph.build(SUPERGRAPH).apiSchema().toGraphQLJSSchema();
});

const shareable = (source: string) => {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return isShareable(schema, document, operation, readAccessPolicy(SUPERGRAPH), readCacheScopes(SUPERGRAPH));
};

describe('isShareable on the committed supergraph', () => {
  it('shares the storefront StockLive: stockChanged is declared public, and so is all it selects', () => {
    const stockLive = readFileSync(
      new URL('../../../schema/operations/storefront.graphql', import.meta.url),
      'utf8',
    );
    const start = stockLive.indexOf('subscription StockLive');
    expect(shareable(stockLive.slice(start, stockLive.indexOf('\n}\n', start) + 2))).toBe(true);
    expect(
      shareable(
        'subscription { stockChanged(productId: "p") { ... on Product { name reviews { edges { node { rating author { displayName } } } } } } }',
      ),
    ).toBe(true);
  });

  it('keeps per caller a selection reaching a private field, through fragments too', () => {
    expect(
      shareable(
        'subscription { stockChanged(productId: "p") { reviews { edges { node { author { email } } } } } }',
      ),
    ).toBe(false);
    expect(
      shareable(
        'subscription { stockChanged(productId: "p") { ...R } } fragment R on Product { reviews { edges { node { author { cart { id } } } } } }',
      ),
    ).toBe(false);
  });

  it('keeps per caller a selection under @access', () => {
    expect(shareable('subscription { careReminderDue { kind } }')).toBe(false);
  });

  it('keeps per caller a subscription field its subgraph has not declared public (it may authorize per caller)', () => {
    expect(shareable('subscription { orderStatusChanged(orderId: "o") { id status } }')).toBe(false);
    expect(shareable('subscription { marketplaceActivity { __typename } }')).toBe(false);
  });

  it('shares nothing when the supergraph carries no @cacheControl (composed without it)', () => {
    const document = parse('subscription { stockChanged(productId: "p") { id } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect(
      isShareable(
        buildASTSchema(
          parse(
            'type Query { a: Int } type Subscription { stockChanged(productId: ID!): P! } type P { id: ID }',
          ),
        ),
        document,
        operation,
        new Map(),
        new Map(),
      ),
    ).toBe(false);
  });
});
