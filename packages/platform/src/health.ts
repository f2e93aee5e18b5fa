import type { ServerResponse } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { sendJson } from './http.js';

/**
 * A Prometheus registry for one process, with the default Node metrics and `labels` on every
 * series (`{ subgraph: 'products' }`, `{ service: 'gateway' }`). One per instance, never the
 * global one, so that two servers in one test process do not share counters.
 */
export function createMetricsRegistry(labels: Record<string, string>): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HealthRoutes {
  /** The /health body: liveness only, it never touches a dependency. */
  health: Record<string, unknown>;
  /** Readiness: false (or a rejection) answers /ready with 503 and `notReadyStatus`. */
  isReady: () => boolean | Promise<boolean>;
  /** The /ready status text when not ready. @default 'not ready' */
  notReadyStatus?: string;
  registry: Registry;
}

/** The probe and scrape paths every process serves. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * Serves /health, /ready and /metrics; resolves to false (and writes nothing) for any other path,
 * so that a server's request handler tries it first and then its own routes.
 */
export async function serveHealthRoute(path: string, res: ServerResponse, routes: HealthRoutes): Promise<boolean> {
  switch (path) {
    case '/health':
      sendJson(res, 200, routes.health);
      return true;
    case '/ready': {
      const ready = await Promise.resolve()
        .then(routes.isReady)
        .catch(() => false);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : (routes.notReadyStatus ?? 'not ready') });
      return true;
    }
    case '/metrics': {
      const body = await routes.registry.metrics();
      res.writeHead(200, { 'content-type': routes.registry.contentType });
      res.end(body);
      return true;
    }
    default:
      return false;
  }
}
