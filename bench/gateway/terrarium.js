// @ts-check
/**
 * Terrarium's gateway (gateway/dist, built by `npm run bench:gateway`) serving the supergraph file
 * given as the first argument, configured as in production except: a rate limit high enough not
 * to refuse the load generator (the limiter still counts every request), room for the large
 * query's 36 aliases (the limits are still measured on every request), logs at warn.
 * Prints `listening <url>` when ready.
 */
import { randomBytes } from 'node:crypto';
import { createGatewayServer, loadGatewayConfig } from '../../gateway/dist/index.js';

const [supergraphPath, port = '0'] = process.argv.slice(2);
if (!supergraphPath) {
  console.error('usage: node bench/gateway/terrarium.js <supergraph.graphql> [port]');
  process.exit(2);
}
const config = loadGatewayConfig(['--supergraph', supergraphPath, '--port', port, '--host', '127.0.0.1'], {
  NODE_ENV: 'production',
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
  INTERNAL_SECRET: randomBytes(32).toString('hex'),
  RATE_LIMIT_MAX: String(1_000_000_000),
  MAX_ALIASES: '100',
  ...(process.env['GATEWAY_ENV'] ? JSON.parse(process.env['GATEWAY_ENV']) : {}),
});
const gateway = await createGatewayServer(config);
const url = await gateway.listen();
process.stdout.write(`listening ${url}\n`);
process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
