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
];
/** What a partner page may send: everything above but a user's Authorization. */
const PARTNER_HEADERS = ALLOWED_HEADERS.filter((name) => name !== 'authorization');
/** Browsers may cache a preflight for this long. @default 600 s */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** Adds CORS headers for an allowlisted Origin; others get none, so the browser withholds the response. */
  decorate(req: IncomingMessage, res: ServerResponse): void;
  /** Adds CORS headers for any Origin: the request carried a partner key that verified. */
  admitPartner(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Answers an OPTIONS preflight: 204 for an allowlisted origin; 204 for any origin that asks to
   * send only partner headers (`x-api-key`, no Authorization), since the actual request is then
   * answered cross-origin only if its key verifies; 403 otherwise.
   */
  preflight(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * CORS from an allowlist of exact origins (CORS_ORIGINS); no wildcard, no reflection of unknown
 * origins, never credentials. Partner widgets live on sites nobody can list in advance, so a
 * request with a verified partner key is answered to any origin: it can run only the key's trusted
 * documents, carries no user's token, and the key is public in the partner's page anyway.
 */
export function createCors(allowedOrigins: readonly string[]): Cors {
  const allowed = new Set(allowedOrigins);
  const originOf = (req: IncomingMessage): string | null =>
    typeof req.headers.origin === 'string' ? req.headers.origin : null;
  const allow = (res: ServerResponse, origin: string) => {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
  };
  return {
    decorate(req, res) {
      res.setHeader('vary', 'Origin');
      const origin = originOf(req);
      if (origin && allowed.has(origin)) allow(res, origin);
    },
    admitPartner(req, res) {
      const origin = originOf(req);
      if (origin) allow(res, origin);
    },
    preflight(req, res) {
      const origin = originOf(req);
      const requested = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean);
      const partner =
        requested.includes('x-api-key') && requested.every((name) => PARTNER_HEADERS.includes(name));
      if (!origin || (!allowed.has(origin) && !partner)) {
        res.writeHead(403, { vary: 'Origin', 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(204, {
        vary: 'Origin',
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': (allowed.has(origin) ? ALLOWED_HEADERS : PARTNER_HEADERS).join(', '),
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        'content-length': 0,
      });
      res.end();
    },
  };
}
