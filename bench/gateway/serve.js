// @ts-check
/**
 * The bench subgraphs as a process of their own (the harness pins it to the load generator's
 * core): starts them, writes their supergraph to the path given as the first argument, and prints
 * `ready <json>` with each subgraph's name and URL. GET <url>/../stats answers a subgraph's
 * request count. Stops on SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { startBenchSubgraphs } from './subgraphs.js';

const [supergraphPath] = process.argv.slice(2);
if (!supergraphPath) {
  console.error('usage: node bench/gateway/serve.js <supergraph output path>');
  process.exit(2);
}
const graph = await startBenchSubgraphs();
writeFileSync(supergraphPath, graph.supergraphSdl);
process.stdout.write(`ready ${JSON.stringify(graph.subgraphs.map(({ name, url }) => ({ name, url })))}\n`);
process.once('SIGTERM', () => void graph.close().then(() => process.exit(0)));
