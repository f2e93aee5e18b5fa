/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query StockLevel($slug: String!) {\n  product(slug: $slug) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}": typeof types.StockLevelDocument,
    "query AnimalCard($id: ID!) {\n  animal(id: $id) {\n    id\n    name\n    morph\n    species {\n      commonName\n    }\n    photos(first: 1) {\n      url(width: 400)\n      alt\n    }\n    listing {\n      status\n      price {\n        amount\n        currency\n      }\n    }\n    breeder {\n      name\n      slug\n      averageRating\n    }\n  }\n}": typeof types.AnimalCardDocument,
    "subscription LiveStock($productId: ID!) {\n  stockChanged(productId: $productId) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}": typeof types.LiveStockDocument,
    "query BreederListings($slug: String!, $first: Int = 12) {\n  organization(slug: $slug) {\n    name\n    slug\n    listings(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          animal {\n            id\n            name\n            morph\n            photos(first: 1) {\n              url(width: 300)\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.BreederListingsDocument,
};
const documents: Documents = {
    "query StockLevel($slug: String!) {\n  product(slug: $slug) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}": types.StockLevelDocument,
    "query AnimalCard($id: ID!) {\n  animal(id: $id) {\n    id\n    name\n    morph\n    species {\n      commonName\n    }\n    photos(first: 1) {\n      url(width: 400)\n      alt\n    }\n    listing {\n      status\n      price {\n        amount\n        currency\n      }\n    }\n    breeder {\n      name\n      slug\n      averageRating\n    }\n  }\n}": types.AnimalCardDocument,
    "subscription LiveStock($productId: ID!) {\n  stockChanged(productId: $productId) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}": types.LiveStockDocument,
    "query BreederListings($slug: String!, $first: Int = 12) {\n  organization(slug: $slug) {\n    name\n    slug\n    listings(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          animal {\n            id\n            name\n            morph\n            photos(first: 1) {\n              url(width: 300)\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.BreederListingsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StockLevel($slug: String!) {\n  product(slug: $slug) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}"): (typeof documents)["query StockLevel($slug: String!) {\n  product(slug: $slug) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query AnimalCard($id: ID!) {\n  animal(id: $id) {\n    id\n    name\n    morph\n    species {\n      commonName\n    }\n    photos(first: 1) {\n      url(width: 400)\n      alt\n    }\n    listing {\n      status\n      price {\n        amount\n        currency\n      }\n    }\n    breeder {\n      name\n      slug\n      averageRating\n    }\n  }\n}"): (typeof documents)["query AnimalCard($id: ID!) {\n  animal(id: $id) {\n    id\n    name\n    morph\n    species {\n      commonName\n    }\n    photos(first: 1) {\n      url(width: 400)\n      alt\n    }\n    listing {\n      status\n      price {\n        amount\n        currency\n      }\n    }\n    breeder {\n      name\n      slug\n      averageRating\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription LiveStock($productId: ID!) {\n  stockChanged(productId: $productId) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}"): (typeof documents)["subscription LiveStock($productId: ID!) {\n  stockChanged(productId: $productId) {\n    id\n    name\n    stock {\n      available\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query BreederListings($slug: String!, $first: Int = 12) {\n  organization(slug: $slug) {\n    name\n    slug\n    listings(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          animal {\n            id\n            name\n            morph\n            photos(first: 1) {\n              url(width: 300)\n            }\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query BreederListings($slug: String!, $first: Int = 12) {\n  organization(slug: $slug) {\n    name\n    slug\n    listings(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          animal {\n            id\n            name\n            morph\n            photos(first: 1) {\n              url(width: 300)\n            }\n          }\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;