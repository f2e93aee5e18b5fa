/**
 * The media subgraph as a library: its factory builds the server from a config without listening
 * (tests, and `main.ts`, which starts it). Importing this entry starts nothing.
 */
export { createMediaSubgraph, type MediaSubgraph } from './subgraph.js';
