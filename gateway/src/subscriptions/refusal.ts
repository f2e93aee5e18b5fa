import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors.js';

/**
 * HTTP status of a subscription refused before it started (SSE and multipart answer it as JSON
 * `{ errors }`, as a POST would be answered), from its first error's code.
 */
export function refusalStatus(errors: readonly GraphQLFormattedError[]): number {
  switch (errors[0]?.extensions?.['code']) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.PERSISTED_QUERY_NOT_IN_LIST:
      return 403;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
    default:
      return 400;
  }
}
