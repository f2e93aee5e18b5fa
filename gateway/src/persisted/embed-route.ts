import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sha256Hex } from './manifest.js';
import type { PersistedStore } from './store.js';

/** The stable path partners put in their script tag. */
export const EMBED_SCRIPT_PATH = '/embed/v1/terrarium-embed.js';
/**
 * Placeholder in the compiled widget, replaced by the partner manifest's ids (name -> id): the
 * string literal with either quote, whichever the formatter and the compiler left.
 */
const IDS_PLACEHOLDER = /(["'])__TERRARIUM_PERSISTED_IDS__\1/;
/**
 * A day fresh, a week stale-while-revalidate: the URL is stable (v1), so a change reaches browsers
 * and CDNs within a day, and the ETag makes each revalidation a 304.
 */
const CACHE_CONTROL = 'public, max-age=86400, stale-while-revalidate=604800';

export interface EmbedRouteOptions {
  store: PersistedStore;
  /** The manifest whose ids the widget sends (partner keys are bound to it). */
  partnerManifest: string;
  /** The compiled widget (gateway/dist/widget/terrarium-embed.js). */
  widgetFile: string;
  logger: Logger;
}

/**
 * Serves the partner widget at EMBED_SCRIPT_PATH with the ids of the operations it runs filled in
 * from the manifests this gateway enforces, so the script and the safelist never disagree. Any
 * page may load it (CORS `*`, cross-origin resource policy); what it can run is decided by the
 * partner's key. Returns false for other paths.
 */
export function createEmbedRoute({ store, partnerManifest, widgetFile, logger }: EmbedRouteOptions) {
  let source: string | null = null;
  try {
    source = readFileSync(widgetFile, 'utf8');
    if (!IDS_PLACEHOLDER.test(source))
      throw new Error(`${widgetFile} has no __TERRARIUM_PERSISTED_IDS__ placeholder`);
  } catch (err) {
    logger.warn({ err, widgetFile }, `the embed widget is not built; ${EMBED_SCRIPT_PATH} answers 404`);
    source = null;
  }
  let built: { version: number; body: string; etag: string } | null = null;
  const current = (template: string) => {
    if (built?.version !== store.version) {
      const body = template.replace(IDS_PLACEHOLDER, () => JSON.stringify(store.idsOf(partnerManifest)));
      built = { version: store.version, body, etag: `"${sha256Hex(body).slice(0, 32)}"` };
    }
    return built;
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== EMBED_SCRIPT_PATH) return false;
    const cors = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-max-age': '86400',
        'content-length': 0,
      });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 });
      res.end();
      return true;
    }
    if (!source) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The embed widget is not built on this gateway.');
      return true;
    }
    const { body, etag } = current(source);
    const headers = { ...cors, 'cache-control': CACHE_CONTROL, etag, 'x-content-type-options': 'nosniff' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/javascript; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
