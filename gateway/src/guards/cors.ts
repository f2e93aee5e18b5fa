import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser may send cross-origin (auth, partner key, CSRF preflight marker, tracing). */
const ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  'traceparent',
  'tracestate',
].join(', ');
/** Browsers may cache a preflight for this long. @default 600 s */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** Adds CORS headers for an allowed Origin; others get none, so the browser withholds the response. */
  decorate(req: IncomingMessage, res: ServerResponse): void;
  /** Answers an OPTIONS preflight: 204 for an allowed origin, 403 otherwise. */
  preflight(req: IncomingMessage, res: ServerResponse): void;
}

/** CORS from an allowlist of exact origins (CORS_ORIGINS); no wildcard, no reflection of unknown origins. */
export function createCors(allowedOrigins: readonly string[]): Cors {
  const allowed = new Set(allowedOrigins);
  const originOf = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin;
    return typeof origin === 'string' && allowed.has(origin) ? origin : null;
  };
  return {
    decorate(req, res) {
      const origin = originOf(req);
      res.setHeader('vary', 'Origin');
      if (!origin) return;
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
    },
    preflight(req, res) {
      const origin = originOf(req);
      if (!origin) {
        res.writeHead(403, { vary: 'Origin', 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(204, {
        vary: 'Origin',
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        'content-length': 0,
      });
      res.end();
    },
  };
}
