import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Supergraph } from '@apollo/federation-internals';
import {
  Kind,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  print,
  typeFromAST,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql/index.js';
import { composeSupergraph, serveSubgraph } from '../../../bench/gateway/subgraphs.js';
import { fakeResolvers } from './fake-resolvers.js';
import type { DiffOperation } from './harness.js';

const ROOT = new URL('../../../', import.meta.url);
const SUPERGRAPH = fileURLToPath(new URL('schema/supergraph.graphql', ROOT));
const SUBGRAPHS = ['ops', 'products', 'inventory', 'commerce', 'media', 'community'];
const OPERATION_FILES = ['storefront', 'partner-embed', 'admin'];

export interface PlatformGraph {
  supergraphSdl: string;
  apiSchema: GraphQLSchema;
  close(): Promise<void>;
}

/**
 * The platform's own graph without its databases: each subgraph's schema.graphql served with
 * made-up resolvers (fake-resolvers.ts), and the committed supergraph (schema/supergraph.graphql)
 * pointed at them. Composed from the subgraphs instead when no supergraph is committed.
 */
export async function startPlatformGraph(options: { cacheControl?: string } = {}): Promise<PlatformGraph> {
  const served = await Promise.all(
    SUBGRAPHS.map((name) => {
      const typeDefs = readFileSync(new URL(`subgraphs/${name}/schema.graphql`, ROOT), 'utf8');
      return serveSubgraph(name, typeDefs, fakeResolvers(typeDefs), {
        cacheResponses: false,
        ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}),
      });
    }),
  );
  const urls = new Map(served.map(({ subgraph }) => [subgraph.name, subgraph.url]));
  let supergraphSdl: string;
  if (existsSync(SUPERGRAPH)) {
    supergraphSdl = readFileSync(SUPERGRAPH, 'utf8').replace(
      /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
      (whole, name: string) => {
        const url = urls.get(name);
        return url ? `@join__graph(name: "${name}", url: "${url}")` : whole;
      },
    );
  } else {
    supergraphSdl = composeSupergraph(served.map(({ subgraph }) => subgraph));
  }
  return {
    supergraphSdl,
    apiSchema: Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema(),
    close: () => Promise.all(served.map((s) => s.close())).then(() => undefined),
  };
}

function inputValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType);
  if (isListType(type)) return [inputValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined)
        value[field.name] = inputValue(field.type);
    }
    return value;
  }
  if (isScalarType(type)) {
    const samples: Record<string, unknown> = {
      Int: 3,
      Float: 1.5,
      Boolean: true,
      String: 'text',
      ID: '00000000-0000-4000-8000-000000000001',
      DateTime: '2024-05-01T00:00:00.000Z',
      Date: '2024-05-01',
    };
    return samples[type.name] ?? 'value';
  }
  throw new Error(`no sample for ${String(type)}`);
}

/** Made-up values for an operation's variables without a default. */
function variablesFor(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type) variables[definition.variable.name.value] = inputValue(type);
  }
  return variables;
}

/** The operation with the fragments it spreads (transitively), as its own document. */
function standalone(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
): string {
  const needed = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !needed.has(fragment.name.value)) {
          needed.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return [operation, ...needed.values()].map((definition) => print(definition)).join('\n\n');
}

/** Every query and mutation the platform's clients send (schema/operations), with made-up variables. */
export function contractOperations(schema: GraphQLSchema): DiffOperation[] {
  const operations: DiffOperation[] = [];
  for (const file of OPERATION_FILES) {
    const document = parse(readFileSync(new URL(`schema/operations/${file}.graphql`, ROOT), 'utf8'));
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    for (const definition of document.definitions) {
      if (
        definition.kind !== Kind.OPERATION_DEFINITION ||
        definition.operation === 'subscription' ||
        !definition.name
      )
        continue;
      operations.push({
        name: `contract ${file} ${definition.name.value}`,
        query: standalone(definition, fragments),
        variables: variablesFor(schema, definition),
      });
    }
  }
  return operations;
}

/** Hand-written operations over the platform graph: what the contract does not reach. */
export const PLATFORM_OPERATIONS: DiffOperation[] = [
  {
    name: 'platform: animals with aliases, fragments and a lineage across subgraphs',
    query: `query Animals($first: Int = 4) {
      recent: animals(first: $first) { totalCount edges { cursor node { ...AnimalCard sire { ...AnimalCard } dam { id name } } } }
      firstTwo: animals(first: 2) { edges { node { id species { commonName } } } }
    }
    fragment AnimalCard on Animal { id name sex status morph genes weightGrams hatchDate breeder { id name averageRating reviewCount } listing { id status price { amount currency } } photos(first: 2) { id url(width: 100) } }`,
  },
  {
    name: 'platform: moderation queue with the ReportSubject union',
    query: `{ moderationQueue(first: 5) { totalCount edges { node { id reason status reporter { id displayName } subject {
      __typename
      ... on Review { id rating body author { displayName } product { name price { amount } } }
      ... on Post { id title author { id } }
      ... on Comment { id }
    } } } } }`,
  },
  {
    name: 'platform: posts with @skip and @include by variables',
    query: `query Feed($withComments: Boolean!, $noImages: Boolean!) {
      posts(first: 3) { edges { node { id title author { displayName }
        comments(first: 2) @include(if: $withComments) { totalCount edges { node { id } } }
        images(first: 1) @skip(if: $noImages) { id url(width: 64) }
      } } }
    }`,
    variables: { withComments: true, noImages: false },
  },
  {
    name: 'platform: posts with the conditional parts left out',
    query: `query Feed($withComments: Boolean!, $noImages: Boolean!) {
      posts(first: 3) { edges { node { id title
        comments(first: 2) @include(if: $withComments) { totalCount }
        images(first: 1) @skip(if: $noImages) { id }
      } } }
    }`,
    variables: { withComments: false, noImages: true },
  },
  {
    name: 'platform: organizations, members and their reviews',
    query: `{ organizations(first: 3) { edges { node { id name slug logo { url(width: 50) } members { __typename } reviews(first: 2) { edges { node { rating author { id displayName } } } } listings(first: 2) { totalCount } } } } }`,
  },
  {
    name: 'platform: species and pedigrees (lists of objects in lists)',
    query: `{ species { id commonName } animals(first: 2) { edges { node { id pedigree(depth: 2) { __typename } offspring { id name careLog(first: 2) { kind recordedAt } } } } } }`,
  },
  {
    name: 'platform: a product by slug with everything around it',
    query: `query ($slug: String!) { product(slug: $slug) { id sku name price { amount currency } stock { available } images(first: 2) { id } attachments { id } createdBy { id displayName } reviews(first: 3) { totalCount edges { node { id rating author { id } } } } } }`,
    variables: { slug: 'ceramic-heat-emitter-100w' },
  },
  {
    name: 'platform: the same field twice with different selections, and __typename everywhere',
    query: `{ __typename posts(first: 2) { __typename edges { node { __typename id author { __typename id } } } }
      again: posts(first: 2) { edges { node { author { displayName } comments(first: 1) { totalCount } } } } }`,
  },
];
