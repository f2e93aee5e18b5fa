import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';

/** The one list of error codes a resolver may produce (Apollo's names where Apollo has one). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The gateway's spelling of the same refusal (gateway/src/errors.ts). */
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
  constructor(message = 'You must be signed in.') {
    super(message, ErrorCode.UNAUTHENTICATED);
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
    super(`Too many attempts; retry in ${retryAfterSeconds} s.`, ErrorCode.RATE_LIMITED, { retryAfterSeconds });
  }
}

/** Codes produced by graphql-js and Apollo Server themselves; safe to show as they are. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo Server's formatError: errors with a public code pass through; anything else (a driver
 * error, a bug) is logged with its stack and replaced by a generic message, so that SQL, file
 * paths and stack traces never reach a client.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    logger.error({ err: original, path: formatted.path }, 'unexpected error in resolver');
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
