// 'graphql/index.js', not 'graphql': the CommonJS build Apollo Server and Apollo Gateway use. Under
// Vite (vitest) a bare 'graphql' resolves to the .mjs build, a second realm whose GraphQLError and
// schema classes fail Apollo's instanceof checks. In Node both spellings load the same file.
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import { HeaderMap } from '@apollo/server';
import type { Logger } from 'pino';

/** Codes the gateway itself produces, beside the kit's (BAD_USER_INPUT, FORBIDDEN, ...). */
export const GatewayErrorCode = {
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A subgraph could not be reached, timed out or answered 5xx. */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** A subgraph answered with another non-2xx status or a body that is not GraphQL JSON. */
  SUBGRAPH_REQUEST_FAILED: 'SUBGRAPH_REQUEST_FAILED',
} as const;

/**
 * Codes whose message is meant for the client, shown as they are. Anything else (no code,
 * INTERNAL_SERVER_ERROR, DOWNSTREAM_SERVICE_ERROR, a code a subgraph made up) is masked. Add a code
 * here when a plugin starts producing it (persisted queries add theirs).
 */
export const PUBLIC_ERROR_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_IN_LIST',
  ...Object.values(GatewayErrorCode),
]);

/** Extensions a client may see; anything else a subgraph or library attaches is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'field', 'limit', 'actual', 'reason', 'retryAfterSeconds']);

/**
 * An error that refuses the whole request with an HTTP status (thrown from plugins before
 * execution); a 401 also says how to authenticate.
 */
export function refusal(message: string, code: string, status: number, extensions: Record<string, unknown> = {}): GraphQLError {
  const headers = status === 401 ? new HeaderMap([['www-authenticate', 'Bearer']]) : undefined;
  return new GraphQLError(message, { extensions: { ...extensions, code, http: { status, ...(headers ? { headers } : {}) } } });
}

/** graphql-js's own message when parseOptions.maxTokens stops the parser ("more that": sic). */
const TOKEN_LIMIT = /Document contains more th(?:an|at) (\d+) tokens/;

const SUGGESTION = / ?Did you mean(.+?)\?/;

/**
 * Apollo Server's formatError for the gateway. Public codes pass with only public extensions (so a
 * subgraph's `exception`, `stacktrace` or `response.url` never leaks); subgraph errors keep their
 * message and gain `serviceName` (Apollo Gateway adds it); everything else is logged with its stack
 * and masked. In production schema suggestions are stripped. graphql-js's token limit error becomes OPERATION_LIMIT_EXCEEDED like the other limits.
 */
export function createErrorFormatter(logger: Logger, { hideSuggestions }: { hideSuggestions: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Apollo's hideSchemaDetailsFromClientErrors covers validation; variable coercion errors
    // ("Did you mean the enum value ...") come later and are stripped here.
    if (hideSuggestions && SUGGESTION.test(formatted.message)) formatted = { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
    const extensions = formatted.extensions ?? {};
    const code = typeof extensions['code'] === 'string' ? extensions['code'] : undefined;
    if (code === 'GRAPHQL_PARSE_FAILED') {
      const tokens = TOKEN_LIMIT.exec(formatted.message);
      if (tokens) {
        return {
          message: `The operation has more than ${tokens[1]} tokens.`,
          extensions: { code: GatewayErrorCode.OPERATION_LIMIT_EXCEEDED, limit: Number(tokens[1]), reason: 'tokens' },
        };
      }
    }
    if (code && PUBLIC_ERROR_CODES.has(code)) {
      const kept: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(extensions)) if (PUBLIC_EXTENSIONS.has(key)) kept[key] = value;
      return { ...formatted, extensions: kept };
    }
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const serviceName = typeof extensions['serviceName'] === 'string' ? extensions['serviceName'] : undefined;
    logger.error({ err: original, path: formatted.path, serviceName, code }, 'internal error masked');
    return {
      message: serviceName ? `Internal error in the ${serviceName} subgraph.` : 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(serviceName ? { serviceName } : {}) },
    };
  };
}
