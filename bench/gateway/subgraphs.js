// @ts-check
/**
 * Serves the benchmark graph's subgraphs over plain Node HTTP, each a buildSubgraphSchema schema
 * executed by graphql-js, with two shortcuts that keep them from being the bottleneck: a parsed
 * and validated document per query text, and (the data being static) the response per request
 * body, so a repeated fetch costs a Map lookup. Every request is counted.
 */
import { createServer } from 'node:http';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate } from 'graphql/index.js';
import { BENCH_SUBGRAPHS } from './graph.js';

/** Distinct request bodies answered from memory per subgraph; the map is cleared when full. @default 10_000 */
const RESPONSE_CACHE_ENTRIES = 10_000;

/**
 * @typedef {object} BenchSubgraph
 * @property {string} name
 * @property {string} url
 * @property {string} typeDefs
 * @property {() => number} count requests received
 * @property {boolean} failing answer every request with HTTP 500 (a subgraph that is down)
 * @property {(body: string) => number} delay milliseconds to hold the answer to a request body (tests of in-flight requests)
 */

/**
 * Serves one subgraph (buildSubgraphSchema over `typeDefs` and `resolvers`) on an ephemeral port.
 * @param {string} name
 * @param {string} typeDefs
 * @param {Record<string, Record<string, unknown>>} resolvers
 * @param {{ host?: string, port?: number, cacheResponses?: boolean }} [options]
 */
export async function serveSubgraph(
  name,
  typeDefs,
  resolvers,
  { host = '127.0.0.1', port = 0, cacheResponses = true, cacheControl } = {},
) {
  const schema = buildSubgraphSchema({
    typeDefs: parse(typeDefs),
    resolvers: /** @type {never} */ (resolvers),
  });
  /** @type {Map<string, import('graphql').DocumentNode | readonly import('graphql').GraphQLError[]>} */
  const documents = new Map();
  /** @type {Map<string, string>} */
  const responses = new Map();
  let received = 0;

  /** @param {string} body */
  async function answer(body) {
    const cached = responses.get(body);
    if (cached !== undefined) return cached;
    /** @type {{ query?: string, variables?: Record<string, unknown>, operationName?: string }} */
    const request = JSON.parse(body);
    const query = request.query ?? '';
    let document = documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? errors : parsed;
      } catch (err) {
        document = [/** @type {import('graphql').GraphQLError} */ (err)];
      }
      documents.set(query, document);
    }
    const result = Array.isArray(document)
      ? { errors: document }
      : await execute({
          schema,
          document: /** @type {import('graphql').DocumentNode} */ (document),
          variableValues: request.variables,
          operationName: request.operationName,
        });
    const text = JSON.stringify(result);
    if (cacheResponses) {
      if (responses.size >= RESPONSE_CACHE_ENTRIES) responses.clear();
      responses.set(body, text);
    }
    return text;
  }

  /** @type {BenchSubgraph} */
  const subgraph = { name, url: '', typeDefs, count: () => received, failing: false, delay: () => 0 };
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    if (req.url === '/stats') {
      res.end(JSON.stringify({ requests: received }));
      return;
    }
    received += 1;
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (subgraph.failing) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('subgraph down');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const delay = subgraph.delay(body);
      answer(body).then(
        (text) => {
          const send = () => {
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
              ...(cacheControl ? { 'cache-control': cacheControl } : {}),
            });
            res.end(text);
          };
          if (delay > 0) setTimeout(send, delay);
          else send();
        },
        (err) => {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ errors: [{ message: err instanceof Error ? err.message : String(err) }] }),
          );
        },
      );
    });
  });
  await new Promise((resolve) => server.listen(port, host, () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  subgraph.url = `http://${host}:${address.port}/graphql`;
  return {
    subgraph,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

/**
 * Composes subgraphs with @apollo/composition (as `npm run schema:compose` does).
 * @param {{ name: string, url: string, typeDefs: string }[]} subgraphs
 */
export function composeSupergraph(subgraphs) {
  const result = composeServices(
    subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs: parse(typeDefs) })),
  );
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return /** @type {string} */ (result.supergraphSdl);
}

/**
 * Starts the four bench subgraphs on ephemeral ports and composes their supergraph.
 * @param {{ host?: string, cacheResponses?: boolean }} [options]
 */
export async function startBenchSubgraphs(options = {}) {
  const started = await Promise.all(
    BENCH_SUBGRAPHS.map(({ name, typeDefs, resolvers }) => serveSubgraph(name, typeDefs, resolvers, options)),
  );
  const subgraphs = started.map((s) => s.subgraph);
  return {
    subgraphs,
    supergraphSdl: composeSupergraph(subgraphs),
    /** Requests received by all subgraphs so far. */
    requests: () => subgraphs.reduce((sum, s) => sum + s.count(), 0),
    /** @param {string} name */
    byName: (name) => {
      const found = subgraphs.find((s) => s.name === name);
      if (!found) throw new Error(`no bench subgraph ${name}`);
      return found;
    },
    close: () => Promise.all(started.map((s) => s.close())).then(() => undefined),
  };
}
