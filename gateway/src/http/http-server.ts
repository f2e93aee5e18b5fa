import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCode } from '@terrarium/platform/errors';
import { sendGraphQLError } from '@terrarium/platform/http';
import type { HttpServerLimits } from '../config.js';

/**
 * Node checks its header and request timeouts on this interval (Node's default is 30 s, which
 * would let a trickling client outlive a 10 s header timeout by up to 30 s); a quarter of the
 * header timeout, within 100 ms..5 s.
 */
function checkingInterval(limits: HttpServerLimits): number {
  return Math.min(5_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4)));
}

/**
 * The gateway's Node HTTP server with its socket limits: a client that trickles its headers or its
 * body is cut off (Node answers 408 and closes the socket), idle keep-alive sockets are closed.
 */
export function createHttpServer(limits: HttpServerLimits): Server {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingInterval(limits),
  });
  // One more than allowed is parsed, so tooManyHeaders can tell "at the cap" from "over it";
  // Node drops any further headers silently rather than refusing them.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  return server;
}

/**
 * Answers 431 (and closes the socket) for a request with more headers than allowed; true when it
 * did. Node itself only refuses headers by total size, never by count.
 */
export function refuseTooManyHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  limits: HttpServerLimits,
): boolean {
  if (req.rawHeaders.length / 2 <= limits.maxHeadersCount) return false;
  res.setHeader('connection', 'close');
  sendGraphQLError(
    res,
    431,
    `Too many request headers (at most ${limits.maxHeadersCount}).`,
    ErrorCode.REQUEST_HEADERS_TOO_MANY,
  );
  return true;
}
