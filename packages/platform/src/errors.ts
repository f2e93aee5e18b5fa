import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';

/**
 * The one registry of error codes the platform sends: what a subgraph's resolvers throw (Apollo's
 * names where Apollo has one), what the gateway refuses with, and the codes graphql-js and Apollo
 * Server produce themselves that clients may see. A code anyone starts producing is added here,
 * and only here; `PUBLIC` says whether its message is meant for the client.
 */
const CODES = {
  BAD_USER_INPUT: true,
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  CONFLICT: true,
  SERVICE_UNAVAILABLE: true,
  /** Masked: its message is replaced by a generic one and the original is logged. */
  INTERNAL_SERVER_ERROR: false,
  // Apollo Server's own.
  GRAPHQL_PARSE_FAILED: true,
  GRAPHQL_VALIDATION_FAILED: true,
  BAD_REQUEST: true,
  OPERATION_RESOLUTION_FAILURE: true,
  PERSISTED_QUERY_NOT_FOUND: true,
  PERSISTED_QUERY_NOT_SUPPORTED: true,
  // The gateway's own refusals.
  PERSISTED_QUERY_NOT_IN_LIST: true,
  /** An APQ extension with a `version` other than 1 (the only one that exists). */
  PERSISTED_QUERY_VERSION_NOT_SUPPORTED: true,
  OPERATION_LIMIT_EXCEEDED: true,
  /** A subscription sent where only queries and mutations run (plain POST/GET without a streaming Accept). */
  SUBSCRIPTION_NOT_SUPPORTED_HERE: true,
  RATE_LIMITED: true,
  PAYLOAD_TOO_LARGE: true,
  /** More request headers than HTTP_MAX_HEADERS_COUNT (HTTP 431). */
  REQUEST_HEADERS_TOO_MANY: true,
  /** A subgraph could not be reached, timed out or answered 5xx. */
  SUBGRAPH_UNAVAILABLE: true,
  /** A subgraph answered with another non-2xx status, a body that is not GraphQL JSON, or one over SUBGRAPH_MAX_RESPONSE_BYTES. */
  SUBGRAPH_REQUEST_FAILED: true,
} as const satisfies Record<string, boolean>;

type Code = keyof typeof CODES;

/** Every code by name: `ErrorCode.FORBIDDEN` rather than the string. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.keys(CODES).map((code) => [code, code])),
) as { readonly [K in Code]: K };
export type ErrorCode = Code;

/**
 * Codes whose message is meant for the client, shown as they are: derived from the registry.
 * Anything else (no code, INTERNAL_SERVER_ERROR, DOWNSTREAM_SERVICE_ERROR, a made-up code) is masked.
 */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set<string>(
  Object.entries(CODES)
    .filter(([, visible]) => visible)
    .map(([code]) => code),
);

abstract class CodedError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class BadUserInputError extends CodedError {
  /** @param field the argument or input field at fault, reported to the client */
  constructor(message: string, field?: string) {
    super(message, ErrorCode.BAD_USER_INPUT, field ? { field } : {});
  }
}
export class UnauthenticatedError extends CodedError {
  /** @param details facts for the client, e.g. `{ twoFactorRequired: true }` (listed in PUBLIC_EXTENSIONS) */
  constructor(message = 'You must be signed in.', details: Record<string, unknown> = {}) {
    super(message, ErrorCode.UNAUTHENTICATED, details);
  }
}
export class ForbiddenError extends CodedError {
  constructor(message = 'You are not allowed to do this.') {
    super(message, ErrorCode.FORBIDDEN);
  }
}
export class NotFoundError extends CodedError {
  constructor(what: string) {
    super(`${what} not found.`, ErrorCode.NOT_FOUND);
  }
}
export class ConflictError extends CodedError {
  /** @param details machine-readable facts for the client, e.g. `{ productId }` */
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, ErrorCode.CONFLICT, details);
  }
}
export class ServiceUnavailableError extends CodedError {
  constructor(message: string) {
    super(message, ErrorCode.SERVICE_UNAVAILABLE);
  }
}

/** Too many attempts (failed log-ins); `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends CodedError {
  constructor(retryAfterSeconds: number) {
    super(`Too many attempts; retry in ${retryAfterSeconds} s.`, ErrorCode.RATE_LIMITED, {
      retryAfterSeconds,
    });
  }
}

/** Extensions the gateway lets a client see; anything else a subgraph or library attaches is dropped. */
export const PUBLIC_EXTENSIONS: ReadonlySet<string> = new Set([
  'code',
  'serviceName',
  'field',
  'limit',
  'actual',
  'reason',
  'retryAfterSeconds',
  'twoFactorRequired',
]);

export interface ErrorFormatterOptions {
  /**
   * Which extensions of a public error reach the client: `'all'` but the stack trace (a subgraph,
   * whose ConflictError details are for the client), or only PUBLIC_EXTENSIONS (the gateway, so
   * that a subgraph's `exception` or `response.url` never leaks). @default 'all'
   */
  extensions?: 'all' | 'public';
  /** Strip graphql-js's "Did you mean ...?" schema suggestions (production). @default false */
  hideSuggestions?: boolean;
}

/** graphql-js's own message when parseOptions.maxTokens stops the parser ("more that": sic). */
const TOKEN_LIMIT = /Document contains more th(?:an|at) (\d+) tokens/;

const SUGGESTION = / ?Did you mean(.+?)\?/;

/**
 * Apollo Server's formatError, for subgraphs and the gateway: errors with a public code pass
 * through (with their extensions per `options.extensions`); anything else (a driver error, a bug)
 * is logged with its stack and replaced by a generic message, so that SQL, file paths and stack
 * traces never reach a client. An error labelled with a subgraph's `serviceName` keeps the label.
 * graphql-js's token limit error becomes OPERATION_LIMIT_EXCEEDED like the other limits.
 */
export function createErrorFormatter(logger: Logger, options: ErrorFormatterOptions = {}) {
  const { extensions: keep = 'all', hideSuggestions = false } = options;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Apollo's hideSchemaDetailsFromClientErrors covers validation; variable coercion errors
    // ("Did you mean the enum value ...") come later and are stripped here.
    if (hideSuggestions && SUGGESTION.test(formatted.message))
      formatted = { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
    const extensions = formatted.extensions ?? {};
    const code = typeof extensions['code'] === 'string' ? extensions['code'] : undefined;
    if (code === ErrorCode.GRAPHQL_PARSE_FAILED) {
      const tokens = TOKEN_LIMIT.exec(formatted.message);
      if (tokens) {
        return {
          message: `The operation has more than ${tokens[1]} tokens.`,
          extensions: {
            code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
            limit: Number(tokens[1]),
            reason: 'tokens',
          },
        };
      }
    }
    if (code && PUBLIC_ERROR_CODES.has(code)) {
      const kept: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(extensions)) {
        if (keep === 'all' ? key !== 'stacktrace' : PUBLIC_EXTENSIONS.has(key)) kept[key] = value;
      }
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
