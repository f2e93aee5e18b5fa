// 'graphql/index.js', not 'graphql': the CommonJS build Apollo Server and Apollo Gateway use. Under
// Vite (vitest) a bare 'graphql' resolves to the .mjs build, a second realm whose GraphQLError and
// schema classes fail Apollo's instanceof checks. In Node both spellings load the same file.
import { GraphQLError } from 'graphql/index.js';
import { HeaderMap } from '@apollo/server';
import {
  createErrorFormatter as createPlatformErrorFormatter,
  type ErrorCode,
} from '@terrarium/platform/errors';
import type { Logger } from 'pino';

// The registry is the platform's (packages/platform/src/errors.ts): the gateway adds no codes of its own.
export { ErrorCode, PUBLIC_ERROR_CODES } from '@terrarium/platform/errors';

/**
 * An error that refuses the whole request with an HTTP status (thrown from plugins before
 * execution); a 401 also says how to authenticate, a 429 when to retry.
 */
export function refusal(
  message: string,
  code: ErrorCode,
  status: number,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const headers = status === 401 ? new HeaderMap([['www-authenticate', 'Bearer']]) : undefined;
  return new GraphQLError(message, {
    extensions: { ...extensions, code, http: { status, ...(headers ? { headers } : {}) } },
  });
}

/**
 * Apollo Server's formatError for the gateway: the platform's, keeping only public extensions (so
 * a subgraph's `exception`, `stacktrace` or `response.url` never leaks); subgraph errors keep their
 * message and `serviceName`; anything else is logged and masked. In production schema suggestions
 * are stripped.
 */
export function createErrorFormatter(logger: Logger, { hideSuggestions }: { hideSuggestions: boolean }) {
  return createPlatformErrorFormatter(logger, { extensions: 'public', hideSuggestions });
}
