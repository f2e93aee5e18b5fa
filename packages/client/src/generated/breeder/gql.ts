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
    "query SellerShipments($slug: String!, $status: ShipmentStatus, $first: Int = 20) {\n  organization(slug: $slug) {\n    id\n    name\n    shipments(status: $status, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          order {\n            id\n            placedAt\n            shippingAddress {\n              name\n              line1\n              line2\n              city\n              postalCode\n              country\n            }\n            buyer {\n              id\n              displayName\n            }\n          }\n          lines {\n            quantity\n            listing {\n              id\n              animal {\n                id\n                name\n              }\n            }\n            product {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.SellerShipmentsDocument,
    "mutation ShipShipment($id: ID!, $carrier: String!, $trackingNumber: String!) {\n  shipShipment(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {\n    id\n    status\n    carrier\n    trackingNumber\n    shippedAt\n  }\n}": typeof types.ShipShipmentDocument,
};
const documents: Documents = {
    "query SellerShipments($slug: String!, $status: ShipmentStatus, $first: Int = 20) {\n  organization(slug: $slug) {\n    id\n    name\n    shipments(status: $status, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          order {\n            id\n            placedAt\n            shippingAddress {\n              name\n              line1\n              line2\n              city\n              postalCode\n              country\n            }\n            buyer {\n              id\n              displayName\n            }\n          }\n          lines {\n            quantity\n            listing {\n              id\n              animal {\n                id\n                name\n              }\n            }\n            product {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.SellerShipmentsDocument,
    "mutation ShipShipment($id: ID!, $carrier: String!, $trackingNumber: String!) {\n  shipShipment(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {\n    id\n    status\n    carrier\n    trackingNumber\n    shippedAt\n  }\n}": types.ShipShipmentDocument,
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
export function graphql(source: "query SellerShipments($slug: String!, $status: ShipmentStatus, $first: Int = 20) {\n  organization(slug: $slug) {\n    id\n    name\n    shipments(status: $status, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          order {\n            id\n            placedAt\n            shippingAddress {\n              name\n              line1\n              line2\n              city\n              postalCode\n              country\n            }\n            buyer {\n              id\n              displayName\n            }\n          }\n          lines {\n            quantity\n            listing {\n              id\n              animal {\n                id\n                name\n              }\n            }\n            product {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query SellerShipments($slug: String!, $status: ShipmentStatus, $first: Int = 20) {\n  organization(slug: $slug) {\n    id\n    name\n    shipments(status: $status, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          order {\n            id\n            placedAt\n            shippingAddress {\n              name\n              line1\n              line2\n              city\n              postalCode\n              country\n            }\n            buyer {\n              id\n              displayName\n            }\n          }\n          lines {\n            quantity\n            listing {\n              id\n              animal {\n                id\n                name\n              }\n            }\n            product {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ShipShipment($id: ID!, $carrier: String!, $trackingNumber: String!) {\n  shipShipment(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {\n    id\n    status\n    carrier\n    trackingNumber\n    shippedAt\n  }\n}"): (typeof documents)["mutation ShipShipment($id: ID!, $carrier: String!, $trackingNumber: String!) {\n  shipShipment(id: $id, carrier: $carrier, trackingNumber: $trackingNumber) {\n    id\n    status\n    carrier\n    trackingNumber\n    shippedAt\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;