// 'graphql/index.js', not 'graphql': the CommonJS build Apollo Server and Apollo Gateway use. Under
// Vite (vitest) a bare 'graphql' resolves to the .mjs build, a second realm whose GraphQLError and
// schema classes fail Apollo's instanceof checks. In Node both spellings load the same file.
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import { HeaderMap } from '@apollo/server';
import { ErrorCode as KitErrorCode } from '@terrarium/platform/errors';
import type { Logger } from 'pino';

/**
 * The gateway's one registry of error codes: the kit's (BAD_USER_INPUT, FORBIDDEN, ...), the ones
 * the gateway produces, and the ones Apollo Server produces that clients may see. `true` marks a
 * code whose message is meant for the client, shown as it is; anything else (no code,
 * INTERNAL_SERVER_ERROR, DOWNSTREAM_SERVICE_ERROR, a code a subgraph made up) is masked. A code
 * a plugin starts producing is added here, and only here.
 */
const CODES = {
  // The kit's (every one of them: checked below).
  BAD_USER_INPUT: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  CONFLICT: true,
  SERVICE_UNAVAILABLE: true,
  INTERNAL_SERVER_ERROR: false,
  // Apollo Server's own.
  GRAPHQL_PARSE_FAILED: true,
  GRAPHQL_VALIDATION_FAILED: true,
  BAD_REQUEST: true,
  OPERATION_RESOLUTION_FAILURE: true,
  PERSISTED_QUERY_NOT_FOUND: true,
  PERSISTED_QUERY_NOT_SUPPORTED: true,
  // The gateway's.
  PERSISTED_QUERY_NOT_IN_LIST: true,
  OPERATION_LIMIT_EXCEEDED: true,
  RATE_LIMITED: true,
  PAYLOAD_TOO_LARGE: true,
  /** A subgraph could not be reached, timed out or answered 5xx. */
  SUBGRAPH_UNAVAILABLE: true,
  /** A subgraph answered with another non-2xx status or a body that is not GraphQL JSON. */
  SUBGRAPH_REQUEST_FAILED: true,
} as const;
/** Fails to compile when the kit gains a code this registry does not list. */
const KIT_CODES_LISTED: Readonly<Record<KitErrorCode, boolean>> = CODES;
void KIT_CODES_LISTED;

type Code = keyof typeof CODES;

/** Every code the gateway sends, by name: `ErrorCode.FORBIDDEN` rather than the string. */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(CODES).map((code) => [code, code]))) as { readonly [K in Code]: K };
export type ErrorCode = Code;

/** @deprecated the same registry under its former name (kept for importers of the package index). */
export const GatewayErrorCode = ErrorCode;

/** Codes whose message is meant for the client: derived from the registry above. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set(Object.entries(CODES).filter(([, visible]) => visible).map(([code]) => code));

/** Extensions a client may see; anything else a subgraph or library attaches is dropped. */
const PUBLIC_EXTENSIONS = new Set(['code', 'serviceName', 'field', 'limit', 'actual', 'reason', 'retryAfterSeconds']);

/**
 * An error that refuses the whole request with an HTTP status (thrown from plugins before
 * execution); a 401 also says how to authenticate.
 */
export function refusal(message: string, code: ErrorCode, status: number, extensions: Record<string, unknown> = {}): GraphQLError {
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
    if (code === ErrorCode.GRAPHQL_PARSE_FAILED) {
      const tokens = TOKEN_LIMIT.exec(formatted.message);
      if (tokens) {
        return {
          message: `The operation has more than ${tokens[1]} tokens.`,
          extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: Number(tokens[1]), reason: 'tokens' },
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
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(serviceName ? { serviceName } : {}) },
    };
  };
}
