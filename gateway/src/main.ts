import { GatewayConfigError, loadGatewayConfig } from './config.js';
import { createGatewayServer } from './server.js';

/** Grace period for in-flight requests on SIGTERM. @default 10_000 ms */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    if (err instanceof GatewayConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const gateway = await createGatewayServer(config);
  await gateway.listen();
  const shutdown = (signal: string) => {
    gateway.logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
