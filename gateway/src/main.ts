import { startTracing } from '@terrarium/platform/tracing';
import { GatewayConfigError, loadGatewayConfig, type GatewayConfig } from './config.js';
import { createGatewayServer } from './http/server.js';

/** Beyond the drain grace period, the process exits anyway. @default 5_000 ms */
const FORCE_EXIT_AFTER_GRACE_MS = 5_000;

async function main(): Promise<void> {
  // First thing, from the standard OTEL_* variables (the kit reads them, as for every subgraph);
  // a no-op unless an OTLP endpoint is set. See the kit's tracing.ts on load order.
  const stopTracing = await startTracing('gateway', process.env);
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    if (err instanceof GatewayConfigError) {
      // Fatal start-up path: the logger depends on config, so print plainly.
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const gateway = await createGatewayServer(config);
  await gateway.listen();
  const shutdown = (signal: string) => {
    gateway.logger.info({ signal }, 'shutting down: draining in-flight requests');
    setTimeout(
      () => process.exit(1),
      config.shutdownDelayMs + config.shutdownGraceMs + FORCE_EXIT_AFTER_GRACE_MS,
    ).unref();
    gateway.stop().then(
      async () => {
        gateway.logger.info('stopped');
        // Spans of the last requests are still buffered: flush them before exiting.
        await stopTracing();
        process.exit(0);
      },
      (err: unknown) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
