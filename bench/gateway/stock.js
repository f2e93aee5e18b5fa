// @ts-check
/**
 * Stock @apollo/gateway 2.14 inside @apollo/server 5.5 with default settings (startStandaloneServer),
 * serving the supergraph file given as the first argument. Prints `listening <url>` when ready.
 * The reference the benchmark and the differential test compare Terrarium's gateway against.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [supergraphPath, port = '0'] = process.argv.slice(2);
if (!supergraphPath) {
  console.error('usage: node bench/gateway/stock.js <supergraph.graphql> [port]');
  process.exit(2);
}
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
process.stdout.write(`listening ${url}\n`);
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
