import { ConfigError } from '@terrarium/platform/env';
import { startMetricsServer, type MetricsServer } from '@terrarium/platform/health';
import { startTracing, type StopTracing } from '@terrarium/platform/tracing';
import { loadSubgraphConfig, type SubgraphConfig } from './config.js';
import type { Subgraph } from './subgraph.js';

/** Grace period for in-flight requests on SIGTERM before the process exits anyway. @default 10_000 ms */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * A subgraph's `main`: config from the environment, build, listen, and stop cleanly on SIGTERM or
 * SIGINT (drain in-flight requests, close sockets, the pool and Redis, then exit). A worker
 * (`--worker`, JOBS_MODE=worker) listens on no service port; with METRICS_PORT it serves /health,
 * /ready and /metrics there, so that it can be probed and its job metrics scraped.
 */
export async function runSubgraph<T>(
  name: string,
  create: (config: SubgraphConfig) => Promise<Subgraph<T>>,
): Promise<void> {
  let subgraph: Subgraph<T>;
  let stopTracing: StopTracing;
  let workerProbes: MetricsServer | undefined;
  try {
    // First, so start-up work is traced too (see tracing.ts on why no preload is needed).
    stopTracing = await startTracing(name, process.env);
    subgraph = await create(loadSubgraphConfig(name));
    // A worker (`--worker`, JOBS_MODE=worker) works the queues and serves no requests.
    if (subgraph.config.jobsMode === 'worker') {
      const { metricsPort, host } = subgraph.config;
      const { orm } = subgraph;
      if (metricsPort !== null)
        workerProbes = await startMetricsServer(subgraph.metrics.registry, metricsPort, host, {
          health: { status: 'ok', subgraph: name, jobsMode: 'worker' },
          isReady: () => orm.isConnected(),
          notReadyStatus: 'database unavailable',
        });
      subgraph.logger.info({ probesPort: workerProbes?.port ?? null }, 'running as a job worker');
    } else await subgraph.listen();
  } catch (err) {
    // Fatal start-up path (bad config, database unreachable, port taken): the logger may not
    // exist yet, so print plainly. A configuration error lists its problems, not a stack.
    console.error(
      `[${name}] failed to start: ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    subgraph.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS);
    force.unref();
    subgraph
      .stop()
      .then(() => workerProbes?.close())
      // Spans of the last requests are still buffered: flush them before exiting.
      .then(() => stopTracing())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        subgraph.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
