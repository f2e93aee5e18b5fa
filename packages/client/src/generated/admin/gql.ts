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
    "mutation RevokePartner($id: ID!) {\n  revokeApiClient(id: $id) {\n    id\n    revokedAt\n  }\n}": typeof types.RevokePartnerDocument,
    "mutation SetFeatureFlag($input: FeatureFlagInput!) {\n  setFeatureFlag(input: $input) {\n    key\n    enabled\n    rolloutPercent\n    organizations {\n      id\n    }\n  }\n}": typeof types.SetFeatureFlagDocument,
    "mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {\n  adjustStock(productId: $productId, delta: $delta, reason: $reason) {\n    id\n    name\n    stock {\n      available\n      onHand\n      reserved\n    }\n  }\n}": typeof types.AdjustStockDocument,
    "query Partners($first: Int = 50) {\n  apiClients(first: $first) {\n    edges {\n      node {\n        id\n        name\n        allowedOperations\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n}": typeof types.PartnersDocument,
    "mutation UpdateOrderStatus($orderId: ID!, $status: OrderStatus!) {\n  updateOrderStatus(orderId: $orderId, status: $status) {\n    id\n    status\n  }\n}": typeof types.UpdateOrderStatusDocument,
    "mutation CreatePartner($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    client {\n      id\n      name\n      allowedOperations\n    }\n    key\n  }\n}": typeof types.CreatePartnerDocument,
    "query AuditLog($first: Int = 50) {\n  auditLog(first: $first) {\n    edges {\n      node {\n        id\n        action\n        actor {\n          id\n          displayName\n        }\n        subject\n        createdAt\n      }\n    }\n  }\n}": typeof types.AuditLogDocument,
    "mutation RefundOrder($orderId: ID!, $reason: String!) {\n  refundOrder(orderId: $orderId, reason: $reason) {\n    id\n    status\n    refunded {\n      amount\n      currency\n    }\n  }\n}": typeof types.RefundOrderDocument,
};
const documents: Documents = {
    "mutation RevokePartner($id: ID!) {\n  revokeApiClient(id: $id) {\n    id\n    revokedAt\n  }\n}": types.RevokePartnerDocument,
    "mutation SetFeatureFlag($input: FeatureFlagInput!) {\n  setFeatureFlag(input: $input) {\n    key\n    enabled\n    rolloutPercent\n    organizations {\n      id\n    }\n  }\n}": types.SetFeatureFlagDocument,
    "mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {\n  adjustStock(productId: $productId, delta: $delta, reason: $reason) {\n    id\n    name\n    stock {\n      available\n      onHand\n      reserved\n    }\n  }\n}": types.AdjustStockDocument,
    "query Partners($first: Int = 50) {\n  apiClients(first: $first) {\n    edges {\n      node {\n        id\n        name\n        allowedOperations\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n}": types.PartnersDocument,
    "mutation UpdateOrderStatus($orderId: ID!, $status: OrderStatus!) {\n  updateOrderStatus(orderId: $orderId, status: $status) {\n    id\n    status\n  }\n}": types.UpdateOrderStatusDocument,
    "mutation CreatePartner($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    client {\n      id\n      name\n      allowedOperations\n    }\n    key\n  }\n}": types.CreatePartnerDocument,
    "query AuditLog($first: Int = 50) {\n  auditLog(first: $first) {\n    edges {\n      node {\n        id\n        action\n        actor {\n          id\n          displayName\n        }\n        subject\n        createdAt\n      }\n    }\n  }\n}": types.AuditLogDocument,
    "mutation RefundOrder($orderId: ID!, $reason: String!) {\n  refundOrder(orderId: $orderId, reason: $reason) {\n    id\n    status\n    refunded {\n      amount\n      currency\n    }\n  }\n}": types.RefundOrderDocument,
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
export function graphql(source: "mutation RevokePartner($id: ID!) {\n  revokeApiClient(id: $id) {\n    id\n    revokedAt\n  }\n}"): (typeof documents)["mutation RevokePartner($id: ID!) {\n  revokeApiClient(id: $id) {\n    id\n    revokedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetFeatureFlag($input: FeatureFlagInput!) {\n  setFeatureFlag(input: $input) {\n    key\n    enabled\n    rolloutPercent\n    organizations {\n      id\n    }\n  }\n}"): (typeof documents)["mutation SetFeatureFlag($input: FeatureFlagInput!) {\n  setFeatureFlag(input: $input) {\n    key\n    enabled\n    rolloutPercent\n    organizations {\n      id\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {\n  adjustStock(productId: $productId, delta: $delta, reason: $reason) {\n    id\n    name\n    stock {\n      available\n      onHand\n      reserved\n    }\n  }\n}"): (typeof documents)["mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {\n  adjustStock(productId: $productId, delta: $delta, reason: $reason) {\n    id\n    name\n    stock {\n      available\n      onHand\n      reserved\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Partners($first: Int = 50) {\n  apiClients(first: $first) {\n    edges {\n      node {\n        id\n        name\n        allowedOperations\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n}"): (typeof documents)["query Partners($first: Int = 50) {\n  apiClients(first: $first) {\n    edges {\n      node {\n        id\n        name\n        allowedOperations\n        createdAt\n        lastUsedAt\n        revokedAt\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateOrderStatus($orderId: ID!, $status: OrderStatus!) {\n  updateOrderStatus(orderId: $orderId, status: $status) {\n    id\n    status\n  }\n}"): (typeof documents)["mutation UpdateOrderStatus($orderId: ID!, $status: OrderStatus!) {\n  updateOrderStatus(orderId: $orderId, status: $status) {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreatePartner($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    client {\n      id\n      name\n      allowedOperations\n    }\n    key\n  }\n}"): (typeof documents)["mutation CreatePartner($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    client {\n      id\n      name\n      allowedOperations\n    }\n    key\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query AuditLog($first: Int = 50) {\n  auditLog(first: $first) {\n    edges {\n      node {\n        id\n        action\n        actor {\n          id\n          displayName\n        }\n        subject\n        createdAt\n      }\n    }\n  }\n}"): (typeof documents)["query AuditLog($first: Int = 50) {\n  auditLog(first: $first) {\n    edges {\n      node {\n        id\n        action\n        actor {\n          id\n          displayName\n        }\n        subject\n        createdAt\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RefundOrder($orderId: ID!, $reason: String!) {\n  refundOrder(orderId: $orderId, reason: $reason) {\n    id\n    status\n    refunded {\n      amount\n      currency\n    }\n  }\n}"): (typeof documents)["mutation RefundOrder($orderId: ID!, $reason: String!) {\n  refundOrder(orderId: $orderId, reason: $reason) {\n    id\n    status\n    refunded {\n      amount\n      currency\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;