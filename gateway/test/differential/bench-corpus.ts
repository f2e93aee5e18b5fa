import { BENCH_QUERIES } from '../../../bench/gateway/queries.js';
import type { BenchSubgraphs } from '../../../bench/gateway/subgraphs.js';
import type { DiffOperation } from './harness.js';

/** A subgraph of the bench graph is down (HTTP 500) while the operation runs. */
function down(graph: () => BenchSubgraphs, ...names: string[]): Pick<DiffOperation, 'before' | 'after'> {
  return {
    before: () => names.forEach((name) => (graph().byName(name).failing = true)),
    after: () => names.forEach((name) => (graph().byName(name).failing = false)),
  };
}

/**
 * Operations over the benchmark's graph (bench/gateway/graph.js): users, products, reviews and
 * inventory with @key, @requires, @provides, the Account interface, the SearchResult union,
 * lists of lists, failing nullable and non-null fields, mutations, and subgraphs that are down.
 */
export function benchOperations(graph: () => BenchSubgraphs): DiffOperation[] {
  return [
    ...BENCH_QUERIES.map(({ name, query, variables }) => ({
      name: `bench query ${name}`,
      query,
      ...(variables ? { variables } : {}),
    })),
    { name: 'default arguments', query: '{ topProducts { upc name } }' },
    {
      name: '@requires on every product',
      query: '{ topProducts(first: 12) { upc name price weight inStock quantity shippingEstimate } }',
    },
    {
      name: '@requires without asking for its inputs',
      query: '{ topProducts(first: 12) { shippingEstimate } }',
    },
    {
      name: 'one entity across three subgraphs',
      query: '{ product(upc: "p3") { name inStock reviews { body author { name username } } } }',
    },
    { name: 'a root field that is null', query: '{ product(upc: "nope") { name inStock reviews { id } } }' },
    {
      name: 'aliases of root fields and entity fields',
      query:
        '{ a: product(upc: "p1") { n: name s: shippingEstimate } b: product(upc: "p2") { n: name price stock: inStock } }',
    },
    {
      name: 'the same field aliased with different arguments',
      query:
        '{ few: topProducts(first: 1) { upc } many: topProducts(first: 3) { upc reviews(first: 1) { id } more: reviews(first: 3) { id title } } }',
    },
    {
      name: 'named fragments on an interface',
      query:
        'query { accounts { ...AccountFields ... on User { ...UserFields } } } fragment AccountFields on Account { __typename id name } fragment UserFields on User { username reviewCount email }',
    },
    {
      name: 'interface with type-specific fields from other subgraphs',
      query:
        '{ accounts { id ... on Organization { name members { id username reviews(first: 1) { product { name inStock } } } } ... on User { reviews(first: 2) { rating } } } }',
    },
    {
      name: 'union with inline fragments',
      query:
        '{ search(text: "a") { __typename ... on Product { upc name inStock } ... on Category { id name products { upc shippingEstimate } } } }',
    },
    {
      name: 'union without __typename',
      query: '{ search(text: "digital") { ... on Product { name price } } }',
    },
    { name: 'union matching nothing', query: '{ search(text: "zzz") { __typename } }' },
    {
      name: '__typename at the root and on entities',
      query:
        '{ __typename topProducts(first: 2) { __typename upc reviews { __typename author { __typename } } } }',
    },
    { name: 'only __typename (an empty query plan)', query: '{ __typename }' },
    {
      name: 'aliased __typename',
      query: '{ topProducts(first: 2) { kind: __typename upc } root: __typename }',
    },
    {
      name: 'variables',
      query: 'query ($upc: String!, $n: Int) { product(upc: $upc) { name reviews(first: $n) { id } } }',
      variables: { upc: 'p5', n: 2 },
    },
    {
      name: 'variables left to their defaults',
      query: 'query ($n: Int = 2, $m: Int = 1) { topProducts(first: $n) { upc reviews(first: $m) { id } } }',
    },
    {
      name: 'a variable of the wrong type',
      query: 'query ($n: Int!) { topProducts(first: $n) { upc } }',
      variables: { n: 'two' },
    },
    { name: 'a required variable missing', query: 'query ($n: Int!) { topProducts(first: $n) { upc } }' },
    {
      name: 'a required variable missing, asked again',
      query: 'query ($n: Int!) { topProducts(first: $n) { upc } }',
    },
    {
      name: '@skip and @include with literals',
      query:
        '{ topProducts(first: 2) { upc name @skip(if: true) price @include(if: false) inStock @include(if: true) reviews @skip(if: false) { id } } }',
    },
    {
      name: '@include on an entity field by variable (true)',
      query:
        'query ($reviews: Boolean!, $stock: Boolean!) { topProducts(first: 3) { upc reviews @include(if: $reviews) { id author { name } } inStock @include(if: $stock) } }',
      variables: { reviews: true, stock: true },
    },
    {
      name: '@include on an entity field by variable (false)',
      query:
        'query ($reviews: Boolean!, $stock: Boolean!) { topProducts(first: 3) { upc reviews @include(if: $reviews) { id author { name } } inStock @include(if: $stock) } }',
      variables: { reviews: false, stock: false },
    },
    {
      name: '@skip on a fragment spread by variable',
      query:
        'query ($skip: Boolean = true) { topProducts(first: 2) { upc ...Availability @skip(if: $skip) } } fragment Availability on Product { inStock shippingEstimate }',
    },
    {
      name: '@skip on a whole root field',
      query: '{ topProducts(first: 1) @skip(if: true) { upc } users(first: 1) { id } }',
    },
    {
      name: 'a nullable field failing in some entities',
      query: '{ topProducts(first: 6) { upc restockDate } }',
    },
    {
      name: 'a non-null field failing: its parent becomes null',
      query: '{ topProducts(first: 6) { upc warehouse { code manager } } }',
    },
    { name: 'a non-null field failing in a list of objects', query: '{ warehouses { code manager } }' },
    {
      name: 'a nested non-null field failing',
      query: '{ topProducts(first: 5) { upc reviews { id moderation { status note } } } }',
    },
    { name: 'an error in an entity fetch', query: '{ users { id name birthDate } }' },
    {
      name: 'errors from several fetches at once',
      query:
        '{ topProducts(first: 6) { upc restockDate warehouse { code manager shelves } reviews { id moderation { status note } author { id birthDate } } } }',
    },
    { name: 'a list of lists of scalars', query: '{ topProducts(first: 4) { upc dimensions } }' },
    {
      name: 'a list of lists of objects with nulls',
      query: '{ topProducts(first: 5) { upc variantGrid { sku label } } }',
    },
    { name: 'a list of nullable lists', query: '{ warehouses { code shelves } }' },
    {
      name: '@provides: username without the users subgraph',
      query: '{ latestReviews(first: 6) { id author { username } } }',
    },
    {
      name: '@provides plus a field only users has',
      query: '{ latestReviews(first: 6) { id author { username name reviewCount } } }',
    },
    {
      name: 'deep nesting across every subgraph',
      query:
        '{ users(first: 3) { id reviews { product { name inStock reviews(first: 2) { author { username reviews(first: 1) { product { shippingEstimate } } } } } } } }',
    },
    {
      name: 'the same object selected twice with different fields',
      query: '{ topProducts(first: 3) { reviews { id } reviews { body author { id } } upc } }',
    },
    {
      name: 'response names that Object.prototype also has',
      query:
        '{ topProducts(first: 2) { constructor: upc toString: name hasOwnProperty: inStock valueOf: reviews { id } } }',
    },
    {
      name: 'a __proto__ alias (left to stock execution)',
      query: '{ topProducts(first: 2) { __proto__: upc name } }',
      stockByDesign: true,
    },
    {
      name: 'schema introspection (left to stock execution)',
      query: '{ __type(name: "Product") { name fields { name } } topProducts(first: 1) { upc } }',
      stockByDesign: true,
    },
    {
      name: 'an empty list: no entity fetch',
      query: '{ topProducts(first: 0) { upc reviews { id } inStock } }',
    },
    {
      name: 'categories with their products and inventory',
      query: '{ categories { id name products { upc name shippingEstimate reviewCount averageRating } } }',
    },
    {
      name: 'repeated entities in nested lists',
      query: '{ topProducts(first: 12) { upc related { upc inStock reviewCount } } }',
    },
    {
      name: 'errors on repeated entities',
      query: '{ topProducts(first: 12) { related { upc restockDate } } }',
    },
    {
      name: 'a user by id with a failing field',
      query: '{ user(id: "u4") { id name birthDate reviews { id } } me { id name username } }',
    },
    {
      name: 'several operations in one document',
      query: 'query A { topProducts(first: 1) { upc } } query B { users(first: 2) { id name reviewCount } }',
      operationName: 'B',
    },
    {
      name: 'a mutation answered across subgraphs',
      query:
        'mutation { renameProduct(upc: "p1", name: "Heat Emitter") { upc name inStock reviews(first: 2) { id } } }',
    },
    {
      name: 'mutations run in sequence',
      query:
        'mutation ($upc: String!) { first: renameProduct(upc: $upc, name: "A") { name } review: addReview(upc: $upc, title: "t", body: "b", rating: 5) { id rating product { name shippingEstimate } author { name } } }',
      variables: { upc: 'p2' },
    },
    {
      name: 'a mutation that fails on a non-null root field',
      query: 'mutation { addReview(upc: "p1", title: "t", body: "b", rating: 9) { id } }',
    },
    {
      name: 'inventory is down: entity fetches fail',
      query: '{ topProducts(first: 3) { upc name inStock } }',
      ...down(graph, 'inventory'),
    },
    {
      name: 'inventory is down: a nullable field from it',
      query: '{ topProducts(first: 3) { upc name restockDate } }',
      ...down(graph, 'inventory'),
    },
    {
      name: 'products is down: the root fetch fails',
      query: '{ topProducts(first: 3) { upc reviews { id } } users(first: 2) { id } }',
      ...down(graph, 'products'),
    },
    {
      name: 'users is down: a nested entity fetch fails',
      query: '{ latestReviews(first: 3) { id author { username name } } }',
      ...down(graph, 'users'),
    },
  ];
}
