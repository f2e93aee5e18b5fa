import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createErrorFormatter, ForbiddenError } from '@terrarium/platform/errors';
import { handleGraphQL } from '@terrarium/platform/http';
import { createLogger } from '@terrarium/platform/logger';
import { loadSubgraphConfig } from '../src/config.js';
import { createSubgraph, type Subgraph } from '../src/subgraph.js';
import { Note } from './fixture.js';

/**
 * The fast query path (src/fast-query.ts) and the cache policy it shares with Apollo's pipeline
 * (src/cache-policy.ts) against the reference: the same schema and resolvers served by stock Apollo
 * Server with its own cache-control plugin. Every request below gets the same status, content type,
 * Cache-Control and body, byte for byte, from both.
 */

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
  directive @cacheControl(
    maxAge: Int
    scope: CacheControlScope
    inheritMaxAge: Boolean
  ) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  type Shelf @key(fields: "id") @cacheControl(maxAge: 60) {
    id: ID!
    title: String!
    books: [Book!]!
    keeper: Keeper
    label: Label
    tag: Label @cacheControl(inheritMaxAge: true)
    lastChecked: String @cacheControl(maxAge: 5)
    note: String @cacheControl(scope: PRIVATE)
    secret: String
    refused: String
  }
  type Book @cacheControl(maxAge: 30) {
    title: String!
    shelf: Shelf @cacheControl(inheritMaxAge: true)
  }
  type Keeper @cacheControl(inheritMaxAge: true) {
    name: String!
  }
  type Label {
    text: String!
  }
  type Query {
    shelf(id: ID!): Shelf @cacheControl(maxAge: 120)
    shelves: [Shelf!]!
    hello: String
    dynamic(maxAge: Int!): String
    teapot: String
  }
  type Mutation {
    touch(id: ID!): Shelf
  }
`);

interface ShelfRow {
  id: string;
  title: string;
  books: { title: string; shelfId: string }[];
}

const SHELVES: ShelfRow[] = [
  { id: '1', title: 'Heat', books: [{ title: 'Ceramic emitters', shelfId: '1' }] },
  { id: '2', title: 'Empty', books: [] },
];
const shelfById = async (id: string) => SHELVES.find((shelf) => shelf.id === id) ?? null;

const resolvers = {
  Query: {
    shelf: (_: unknown, { id }: { id: string }) => shelfById(id),
    shelves: () => SHELVES,
    hello: () => 'hi',
    dynamic: (_: unknown, { maxAge }: { maxAge: number }, __: unknown, info: { cacheControl: any }) => {
      info.cacheControl.setCacheHint({ maxAge, scope: 'PUBLIC' });
      return `max ${maxAge}`;
    },
    teapot: () => {
      throw new GraphQLError('I am a teapot.', {
        extensions: { code: 'TEAPOT', http: { status: 418, headers: new Map([['x-brewed', 'no']]) } },
      });
    },
  },
  Mutation: { touch: (_: unknown, { id }: { id: string }) => shelfById(id) },
  Shelf: {
    __resolveReference: ({ id }: { id: string }) => shelfById(id),
    keeper: (shelf: ShelfRow) => (shelf.id === '1' ? { name: 'Ada' } : null),
    label: () => ({ text: 'hot' }),
    tag: () => ({ text: 'basking' }),
    lastChecked: () => 'today',
    note: () => 'mine',
    secret: () => {
      throw new Error('the database password is hunter2');
    },
    refused: () => {
      throw new ForbiddenError('Not yours.');
    },
  },
  Book: { shelf: (book: { shelfId: string }) => shelfById(book.shelfId) },
};

const secret = process.env['INTERNAL_SECRET']!;
const logger = createLogger('fast-query-test', 'silent');

interface Answer {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  /** Every header but those of the connection and the clock. */
  headers: Record<string, string>;
  body: string;
}

const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive']);

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [CALLER_HEADER]: await signCaller(ANONYMOUS, secret),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    cacheControl: response.headers.get('cache-control'),
    headers: Object.fromEntries([...response.headers].filter(([name]) => !TRANSPORT_HEADERS.has(name))),
    body: await response.text(),
  };
}

describe('the fast query path', () => {
  let subgraph: Subgraph<object>;
  let subgraphUrl: string;
  let reference: ApolloServer;
  let referenceServer: Server;
  let referenceUrl: string;

  beforeAll(async () => {
    const config = loadSubgraphConfig('shelves', {
      ...process.env,
      SHELVES_DATABASE_SCHEMA: 'kit_fast_query',
      SHELVES_PORT: '0',
    });
    subgraph = await createSubgraph({
      config,
      typeDefs,
      resolvers,
      entities: [Note],
      migrations: [],
      createLoaders: () => ({}),
    });
    subgraphUrl = await subgraph.listen(0);

    // Stock Apollo Server: its own cache-control plugin (on by default), the same error formatter.
    reference = new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }),
      formatError: createErrorFormatter(logger),
      includeStacktraceInErrorResponses: false,
      introspection: !config.production,
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    await reference.start();
    referenceServer = createServer((req, res) => {
      handleGraphQL(reference, req, res, async () => ({})).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => referenceServer.listen(0, '127.0.0.1', resolve));
    referenceUrl = `http://127.0.0.1:${(referenceServer.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    await subgraph?.stop();
    await reference?.stop();
    await new Promise((resolve) => referenceServer?.close(resolve));
  });

  /** Sends `body` to both; they must answer alike. Returns how many requests Apollo's pipeline ran in the subgraph. */
  async function compare(body: unknown, headers: Record<string, string> = {}) {
    const apolloRuns = vi.spyOn(subgraph.apollo, 'executeHTTPGraphQLRequest');
    try {
      const [fast, expected] = await Promise.all([
        post(subgraphUrl, body, headers),
        post(referenceUrl, body, headers),
      ]);
      expect(fast).toEqual(expected);
      return { answer: fast, apolloRuns: apolloRuns.mock.calls.length };
    } finally {
      apolloRuns.mockRestore();
    }
  }

  const entities = {
    query:
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shelf { title books { title } } } }',
    variables: { r: [{ __typename: 'Shelf', id: '1' }] },
  };

  it.each([
    [
      'a hinted root field, its type and a list of another type',
      '{ shelf(id: "1") { id title books { title } } }',
    ],
    ['a type that inherits its max age', '{ shelf(id: "1") { keeper { name } } }'],
    ['an object type without a hint: the default max age, 0', '{ shelf(id: "1") { title label { text } } }'],
    ['a field that inherits its parent max age', '{ shelf(id: "1") { title tag { text } } }'],
    ['a field with a shorter hint of its own', '{ shelf(id: "1") { title lastChecked } }'],
    ['a private field', '{ shelf(id: "1") { title note } }'],
    ['an empty list: its items hints never apply', '{ shelf(id: "2") { title books { title } } }'],
    ['a null parent: its fields hints never apply', '{ shelf(id: "2") { keeper { name } } }'],
    ['a root list without a hint of its own: its type gives one', '{ shelves { id } }'],
    ['a scalar root field without a hint', '{ hello }'],
    ['a field inheriting from a list item', '{ shelf(id: "1") { books { shelf { title } } } }'],
    ['a dynamic hint set by the resolver', '{ dynamic(maxAge: 7) }'],
    ['only __typename', '{ __typename }'],
  ])('answers %s as Apollo does, without its pipeline', async (_, query) => {
    const { answer, apolloRuns } = await compare({ query });
    expect(answer.status).toBe(200);
    expect(apolloRuns).toBe(0);
  });

  it("answers _entities with each entity type's hint, as @apollo/subgraph sets it", async () => {
    const { answer, apolloRuns } = await compare(entities);
    expect(answer.cacheControl).toBe('max-age=30, public');
    expect(apolloRuns).toBe(0);
  });

  it('gives public and masked errors the same shape, and no cache header but no-store', async () => {
    const masked = await compare({ query: '{ shelf(id: "1") { title secret } }' });
    expect(masked.apolloRuns).toBe(0);
    expect(masked.answer.body).not.toContain('hunter2');
    expect(JSON.parse(masked.answer.body).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(masked.answer.cacheControl).toBe('no-store');
    const refused = await compare({ query: '{ shelf(id: "1") { refused } }' });
    expect(refused.apolloRuns).toBe(0);
    expect(JSON.parse(refused.answer.body).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it("applies an error's extensions.http to the answer, as Apollo does", async () => {
    const { answer, apolloRuns } = await compare({ query: '{ hello teapot }' });
    expect(apolloRuns).toBe(0);
    expect(answer.status).toBe(418);
    expect(answer.headers['x-brewed']).toBe('no');
  });

  it('picks the named operation of several', async () => {
    const { apolloRuns } = await compare({
      query: 'query A { hello } query B { shelf(id: "1") { title } }',
      operationName: 'B',
    });
    expect(apolloRuns).toBe(0);
  });

  it.each([
    ['a mutation', { query: 'mutation { touch(id: "1") { title books { title } } }' }, {}],
    ['a parse error', { query: '{ shelf(' }, {}],
    ['a validation error', { query: '{ nope }' }, {}],
    [
      'variables that do not coerce',
      { query: 'query ($id: ID!) { shelf(id: $id) { id } }', variables: {} },
      {},
    ],
    ['an unknown operation name', { query: 'query A { hello }', operationName: 'Z' }, {}],
    ['two operations and no name', { query: 'query A { hello } query B { hello }' }, {}],
    ['request extensions', { query: '{ hello }', extensions: {} }, {}],
    [
      'a graphql-response+json client',
      { query: '{ hello }' },
      { accept: 'application/graphql-response+json' },
    ],
    ['a batch', [{ query: '{ hello }' }], {}],
  ])('hands %s to Apollo, which answers it', async (_, body, headers) => {
    const { apolloRuns } = await compare(body, headers);
    expect(apolloRuns).toBe(1);
  });

  it('runs a cached document with new variables, and forgets nothing it should not', async () => {
    for (const id of ['1', '2', 'missing']) {
      const { answer, apolloRuns } = await compare({
        query: 'query ($id: ID!) { shelf(id: $id) { title books { title } } }',
        variables: { id },
      });
      expect(apolloRuns).toBe(0);
      expect(answer.status).toBe(200);
    }
  });

  it('counts what it answers in the operations metric, like Apollo does', async () => {
    await post(subgraphUrl, { query: 'query CountedFast { hello }' });
    const metrics = await subgraph.metrics.registry.metrics();
    expect(metrics).toMatch(
      /graphql_operation_duration_seconds_count\{[^}]*operation="CountedFast"[^}]*status="ok"[^}]*\} 1/,
    );
  });
});
