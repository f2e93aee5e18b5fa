import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@terrarium/platform/http';

/** A refusal of a plain HTTP request, sent as `{ error, code }` with its status. */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Sends a refusal. When the request body was not read to the end (a 413, or a refusal before
 * reading), the connection is closed after the response instead of draining the rest of the body.
 */
export function sendRouteError(
  req: IncomingMessage,
  res: ServerResponse,
  error: RouteError,
  headers: Record<string, string> = {},
): void {
  const close: Record<string, string> = req.complete ? {} : { connection: 'close' };
  sendJson(
    res,
    error.status,
    { error: error.message, code: error.code },
    { ...CORS_HEADERS, ...close, ...headers },
  );
}

/**
 * Uploads are authorised by the URL's signature and files are public, never by cookies, so any
 * origin may use them (a storefront on its own domain PUTs straight to media).
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'etag, content-length',
};

export function sendPreflight(res: ServerResponse, methods: string): void {
  res.writeHead(204, {
    ...CORS_HEADERS,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  });
  res.end();
}
