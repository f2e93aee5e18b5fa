// 'graphql/index.js', not 'graphql': the CommonJS build @apollo/subgraph built the schema with (see
// gateway/src/errors.ts); under vitest 'graphql' resolves to the ESM build, a second copy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  execute,
  getOperationAST,
  type GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql/index.js';
import { LRUCache } from 'lru-cache';
import { cacheControlHeader } from './cache-policy.js';
import type { SubgraphContext } from './context.js';

/**
 * The fast path for the requests a gateway sends most: a POSTed JSON query. Apollo Server's
 * request pipeline (plugin hooks, per-request hashing and content negotiation, the per-field
 * plugin dispatcher) cost as much CPU as the rest of a small entity fetch together, so a query
 * the path can answer exactly as Apollo would runs straight on graphql-js: the same schema,
 * validation rules, context, error formatting, cache policy (cache-policy.ts) and per-operation
 * hooks (metrics, replica routing, entity changes). Anything else is handed back untouched
 * (`serve` answers false and has written nothing) for Apollo to answer: mutations, documents that
 * do not parse or validate, an unknown operation name, variables that do not coerce (no resolver
 * has run then), other media types, persisted queries and any request extensions.
 */
export interface FastQueryPath<TLoaders> {
  /**
   * Answers the request (its body already read) when it is a query this path runs; false, with
   * nothing written, otherwise.
   */
  serve(
    req: IncomingMessage,
    body: unknown,
    res: ServerResponse,
    createContext: () => SubgraphContext<TLoaders>,
  ): Promise<boolean>;
}

/** A single answer as it leaves: formatted errors, data, extensions (what Apollo calls a singleResult). */
type OperationAnswer = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>;

/** What each query does besides executing; Apollo's plugins do the same for what it runs. */
export interface OperationHooks<TContext> {
  /** Before execution: where the query's lag-tolerant reads go. */
  beforeQuery?(context: TContext): Promise<void>;
  /** After execution, before the answer leaves: may add to `answer.extensions`. */
  afterOperation(
    context: TContext,
    answer: OperationAnswer,
    operation: { name: string | null; seconds: number },
  ): Promise<void>;
}

export interface FastQueryOptions<TLoaders> {
  schema: GraphQLSchema;
  /** As Apollo's `introspection` option: without it, `__schema` and `__type` are Apollo's to refuse. */
  introspection: boolean;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  hooks: OperationHooks<SubgraphContext<TLoaders>>;
}

/** Parsed, validated documents kept, by query text: a subgraph sees the gateway's plans, a few hundred. */
const MAX_DOCUMENTS = 1000;

/** A query text that Apollo must answer (it does not parse or validate): remembered so it is not tried again. */
const NOT_FAST = Symbol('not fast');

export function createFastQueryPath<TLoaders>(options: FastQueryOptions<TLoaders>): FastQueryPath<TLoaders> {
  const { schema, formatError, hooks } = options;
  const rules: readonly ValidationRule[] = options.introspection
    ? specifiedRules
    : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  // Bounded both ways: by count, and by text size so that long queries cannot hold much memory.
  const documents = new LRUCache<string, DocumentNode | typeof NOT_FAST>({
    max: MAX_DOCUMENTS,
    maxSize: MAX_DOCUMENTS * 4096,
    sizeCalculation: (_value, query) => Math.max(1, query.length),
  });

  const prepare = (query: string): DocumentNode | typeof NOT_FAST => {
    let document = documents.get(query);
    if (document) return document;
    try {
      const parsed = parse(query);
      document = validate(schema, parsed, rules).length === 0 ? parsed : NOT_FAST;
    } catch {
      document = NOT_FAST;
    }
    documents.set(query, document);
    return document;
  };

  return {
    async serve(req, body, res, createContext) {
      if (!answersInJson(req)) return false;
      const request = plainRequest(body);
      if (!request) return false;
      const document = prepare(request.query);
      if (document === NOT_FAST) return false;
      const operation = getOperationAST(document, request.operationName);
      if (operation?.operation !== 'query') return false;

      const started = process.hrtime.bigint();
      const context = createContext();
      await hooks.beforeQuery?.(context);
      const result = await execute({
        schema,
        document,
        contextValue: context,
        variableValues: request.variables,
        operationName: request.operationName,
      });
      // No data at all: a request error (variables that do not coerce), raised before any
      // resolver ran. Apollo answers those with its own status and code.
      if (!('data' in result)) return false;

      const head = { status: 200, headers: new Map<string, string>() };
      const answer: OperationAnswer = { data: result.data };
      if (result.errors?.length) answer.errors = result.errors.map((error) => formatted(error, head));
      if (result.extensions) answer.extensions = { ...result.extensions };
      await hooks.afterOperation(context, answer, {
        name: operation.name?.value ?? null,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });

      // Apollo's field order (errors, data, extensions) and its trailing newline.
      const payload = `${JSON.stringify({ errors: answer.errors, data: answer.data, extensions: answer.extensions })}\n`;
      res.writeHead(head.status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': cacheControlHeader(context.cachePolicy, answer.errors !== undefined),
        ...Object.fromEntries(head.headers),
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return true;
    },
  };

  /** Apollo's normalizeAndFormatErrors for one error: a code always, `extensions.http` applied to the answer. */
  function formatted(
    error: GraphQLError,
    head: { status: number; headers: Map<string, string> },
  ): GraphQLFormattedError {
    const extensions: Record<string, unknown> = {
      ...error.extensions,
      code: error.extensions['code'] ?? 'INTERNAL_SERVER_ERROR',
    };
    const http = extensions['http'];
    if (isPartialHttpHead(http)) {
      if (http.status !== undefined) head.status = http.status;
      if (http.headers) for (const [name, value] of http.headers) head.headers.set(name, String(value));
      delete extensions['http'];
    }
    try {
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  }
}

/** Apollo's test for an error's `extensions.http`: a status number and/or a headers Map. */
function isPartialHttpHead(value: unknown): value is { status?: number; headers?: Map<string, unknown> } {
  if (typeof value !== 'object' || value === null) return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (
    (!('status' in head) || typeof head.status === 'number') &&
    (!('headers' in head) || head.headers instanceof Map)
  );
}

/** Accept values for which Apollo answers `application/json`; others it negotiates itself. */
const JSON_ACCEPTS = new Set([undefined, '*/*', 'application/json', 'application/json, */*']);

/**
 * A JSON POST (past Apollo's CSRF prevention: not a "simple" request a browser sends cross-site
 * without asking) whose answer Apollo would send as `application/json`.
 */
function answersInJson(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  if (!type || type.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') return false;
  return JSON_ACCEPTS.has(req.headers.accept);
}

interface PlainRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/**
 * The body as Apollo would read it, when it holds only what this path handles: a query string,
 * an optional operation name and variables object. Anything else (extensions, a batch, odd types)
 * is Apollo's to accept or refuse.
 */
function plainRequest(body: unknown): PlainRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { query, operationName, variables, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return undefined;
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  )
    return undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
  };
}
