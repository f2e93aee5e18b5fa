import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import type { Logger } from 'pino';

/** Where the bundle's files are served from (Vite's `base` in gateway/graphiql/vite.config.ts). */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

/**
 * Everything from the gateway's own origin: scripts and workers only from files it serves (no
 * inline script, no eval, no CDN), requests only to itself (HTTP and graphql-ws). Inline styles
 * are allowed because Monaco and React set `style` attributes and insert <style> elements at run
 * time; styles cannot run code.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // GraphiQL's stylesheet embeds its fonts as data: URLs (a font cannot run code).
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export interface GraphiqlRouteOptions {
  /** Serve the IDE at all (development, or GRAPHIQL=true). */
  enabled: boolean;
  /** The Vite build (gateway/dist/graphiql-bundle). */
  dir: string;
  logger: Logger;
}

interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * GraphiQL at GET /graphql for browsers (Accept: text/html, no `query` parameter, so GET queries
 * and APQ GETs still reach Apollo), its bundle under /graphiql/. The bundle is read into memory
 * once (a few MB): a request can only ever name a file of that set, never a path on disk.
 * Returns false for every request it does not answer.
 */
export function createGraphiqlRoute({ enabled, dir, logger }: GraphiqlRouteOptions) {
  const files = enabled ? loadBundle(dir, logger) : new Map<string, StaticFile>();
  const page = files.get('index.html');
  if (enabled && !page)
    logger.warn({ dir }, 'GraphiQL is enabled but not built (npm run build); GET /graphql serves no IDE');

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!page || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/graphql') {
      if (
        !prefersHtml(req.headers.accept) ||
        url.searchParams.has('query') ||
        url.searchParams.has('extensions')
      )
        return false;
      send(req, res, page, {
        'cache-control': 'no-cache',
        'content-security-policy': GRAPHIQL_CSP,
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
      });
      return true;
    }
    if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return false;
    const file = files.get(url.pathname.slice(GRAPHIQL_ASSETS_PATH.length));
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return true;
    }
    // Vite puts a content hash in every asset's name, so a file never changes under its URL.
    send(req, res, file, {
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': GRAPHIQL_CSP,
    });
    return true;
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  headers: Record<string, string>,
): void {
  res.writeHead(200, {
    ...headers,
    'content-type': file.contentType,
    'content-length': file.body.length,
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/** A browser's navigation asks for text/html first; API clients ask for JSON (or send any). */
function prefersHtml(accept: string | undefined): boolean {
  return (accept ?? '').split(',')[0]?.trim().toLowerCase().startsWith('text/html') ?? false;
}

function loadBundle(dir: string, logger: Logger): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        files.set(relative(dir, path).split(sep).join('/'), {
          body: readFileSync(path),
          contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
        });
    }
  };
  walk(dir);
  logger.debug({ files: files.size }, 'GraphiQL bundle loaded');
  return files;
}
