import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /**
   * /metrics on this port too. False when METRICS_PORT gives it a port of its own (metricsServer),
   * so that a published service port never shows the metrics. @default true
   */
  servesMetrics?: boolean;
}

/** The probe and scrape paths every process serves. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * Serves /health, /ready and /metrics; resolves to false (and writes nothing) for any other path,
 * so that a server's request handler tries it first and then its own routes.
 */
export async function serveHealthRoute(
  path: string,
  res: ServerResponse,
  routes: HealthRoutes,
): Promise<boolean> {
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
      if (routes.servesMetrics === false) return false;
      const body = await routes.registry.metrics();
      res.writeHead(200, { 'content-type': routes.registry.contentType });
      res.end(body);
      return true;
    }
    default:
      return false;
  }
}

/** The metrics listener (METRICS_PORT): GET /metrics (and the probes when asked), 404 for anything else. */
export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one bound for 0). */
  port: number;
  close(): Promise<void>;
}

/** /health and /ready on the metrics port, for a process that serves nothing else (a job worker). */
export type Probes = Pick<HealthRoutes, 'health' | 'isReady' | 'notReadyStatus'>;

/**
 * Serves `registry` at /metrics on a port of its own, for deployments that publish the service
 * port (compose, a NodePort) but keep metrics for the scraper on an internal one. With `probes`
 * it answers /health and /ready there too: a job worker (JOBS_MODE=worker) has no service port,
 * and this is how its orchestrator probes it and the scraper reads its job metrics.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host = '0.0.0.0',
  probes?: Probes,
): Promise<MetricsServer> {
  const routes: HealthRoutes = { health: {}, isReady: () => true, ...probes, registry };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const served = path === '/metrics' || (probes !== undefined && HEALTH_PATHS.has(path));
    if (!served || (req.method !== 'GET' && req.method !== 'HEAD'))
      return sendJson(res, 404, { error: 'not found' });
    serveHealthRoute(path, res, routes).catch(() => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal server error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
